using System.Diagnostics;
using System.Text;

namespace Packyard.Tests.Container;

/// <summary>A registry that lies or sends absurd input: every case fails the sync with a clear message and keeps no version.</summary>
public sealed class ContainerHostileUpstreamTests(ContainerFixture app) : IClassFixture<ContainerFixture>
{
    private async Task<(Exception Error, ContainerFixture.ContainerRepository Repository)> FailedSyncAsync(ScriptedRegistry registry, string options = """{"upstreamName":"app"}""")
    {
        var repository = await app.ContainerRepositoryAsync();
        var error = await Record.ExceptionAsync(() => app.SyncAsync(repository, registry.Url, options));
        Assert.NotNull(error);
        Assert.Equal(0, await app.LatestVersionAsync(repository.Id));
        return (error, repository);
    }

    [Fact]
    public async Task Manifest_whose_bytes_do_not_match_its_digest_fails_the_sync_and_names_it()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 1);
        var other = TestImages.AddImage(registry, seed: 2);
        registry.Manifests[image.Digest] = (image.MediaType, other.Manifest);
        registry.Tag("app", "1.0", image.Digest);

        var (error, _) = await FailedSyncAsync(registry);

        var mismatch = Assert.IsType<ArtifactDigestException>(error);
        Assert.Contains("app:1.0", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains(image.Digest, mismatch.Message, StringComparison.Ordinal);
        Assert.Contains(other.Digest, mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blob_whose_bytes_do_not_match_its_digest_fails_the_sync_and_names_it()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 3);
        var bad = image.Layers[1];
        registry.Blobs[bad] = registry.Blobs[bad].Reverse().ToArray();
        registry.Tag("app", "1.0", image.Digest);

        var (error, _) = await FailedSyncAsync(registry);

        var mismatch = Assert.IsType<ArtifactDigestException>(error);
        Assert.Contains($"blobs/{bad}", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_1_manifest_is_refused_with_a_clear_message()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var schema1 = Encoding.UTF8.GetBytes("""{"schemaVersion":1,"name":"app","tag":"old","architecture":"amd64","fsLayers":[],"history":[]}""");
        registry.Tag("app", "old", registry.AddManifest("application/vnd.docker.distribution.manifest.v1+prettyjws", schema1));

        var (error, _) = await FailedSyncAsync(registry);

        Assert.IsAssignableFrom<PackyardException>(error);
        Assert.Contains("schema 1 is not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("app:old", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_of_100_MB_is_refused_by_the_size_limit()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var huge = new byte[100 << 20];
        huge.AsSpan().Fill((byte)' ');
        "{\"schemaVersion\":2}"u8.CopyTo(huge);
        registry.Tag("app", "huge", registry.AddManifest(TestImages.OciManifest, huge));

        var (error, _) = await FailedSyncAsync(registry);

        Assert.Contains("exceeds the limit of 4194304 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tag_list_of_100000_tags_is_refused_by_the_tag_limit_in_seconds()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 4);
        for (var i = 0; i < 100_000; i++)
        {
            registry.Tag("app", $"t{i:D6}", image.Digest);
        }

        var watch = Stopwatch.StartNew();
        var (error, _) = await FailedSyncAsync(registry);

        Assert.IsType<InvalidUpstreamMetadataException>(error);
        Assert.Contains("more than 65536 tags", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, registry.CountPrefix("HEAD /v2/app/manifests/"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Index_that_lists_itself_fails_the_sync_without_looping()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        // A digest cannot name bytes that contain it, so an upstream "index listing itself" lies about a digest: the child
        // fetched by digest is the index again. It must end in a digest error after one fetch, not a loop.
        var child = "sha256:" + new string('a', 64);
        var index = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{TestImages.OciIndex}}","manifests":[{"mediaType":"{{TestImages.OciIndex}}","digest":"{{child}}","size":10}]}""");
        var digest = registry.AddManifest(TestImages.OciIndex, index);
        registry.Manifests[child] = (TestImages.OciIndex, index);
        registry.Tag("app", "loop", digest);

        var (error, _) = await FailedSyncAsync(registry);

        Assert.IsType<ArtifactDigestException>(error);
        Assert.InRange(registry.Count("GET", $"/v2/app/manifests/{child}"), 1, 3);
    }

    [Fact]
    public async Task Digest_with_another_algorithm_is_refused_naming_sha256()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var config = registry.AddBlob("{}"u8.ToArray());
        var manifest = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{TestImages.OciManifest}}","config":{"mediaType":"{{TestImages.OciConfig}}","digest":"{{config}}","size":2},"layers":[{"mediaType":"{{TestImages.OciLayer}}","digest":"sha512:{{new string('b', 128)}}","size":5}]}""");
        registry.Tag("app", "1.0", registry.AddManifest(TestImages.OciManifest, manifest));

        var (error, _) = await FailedSyncAsync(registry);

        Assert.Contains("digest algorithm 'sha512' is not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("layers[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_sync_keeps_the_version_already_served()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var good = TestImages.AddImage(registry, seed: 5);
        registry.Tag("app", "1.0", good.Digest);
        var repository = await app.ContainerRepositoryAsync();
        var first = await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");
        var bad = TestImages.AddImage(registry, seed: 6);
        registry.Blobs[bad.Layers[0]] = [1, 2, 3];
        registry.Tag("app", "2.0", bad.Digest);

        await Assert.ThrowsAsync<ArtifactDigestException>(() => app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}"""));

        Assert.Equal(first.Version, await app.LatestVersionAsync(repository.Id));
        using var served = await app.Http.GetAsync($"/v2/{repository.BasePath}/manifests/1.0");
        Assert.Equal(good.Manifest, await served.Content.ReadAsByteArrayAsync());
    }
}
