using System.Text;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Infrastructure.Oci;

namespace Packyard.Tests.Container.Peers;

/// <summary>
/// The OCI test peers work with the real clients: Debian's docker-registry started by the test, images built with umoci and
/// pushed with skopeo, read back with skopeo and podman. These are the upstreams the container type's tests sync from.
/// </summary>
public sealed class AnonymousReferenceRegistryTests : IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromMinutes(1);
    private readonly OciImageBuilder builder = new();
    private readonly TemporaryDirectory work = new();
    private ReferenceRegistry registry = null!;

    public async Task InitializeAsync() => registry = await ReferenceRegistry.StartAsync();

    public async Task DisposeAsync()
    {
        await registry.DisposeAsync();
        builder.Dispose();
        work.Dispose();
    }

    [Fact]
    public async Task Skopeo_inspects_and_copies_a_multi_layer_image_and_each_blob_is_fetched_once()
    {
        var image = await builder.BuildAndPushAsync(registry, "team/app", "1.0", [40_000, 20_000, 10_000]);
        Assert.Equal(OciTestMediaTypes.ImageManifest, image.MediaType);
        Assert.Equal(3, image.Layers.Count);

        var inspect = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", registry.Docker("team/app", "1.0")], Bounded))!;
        Assert.Equal(image.Digest, inspect["Digest"]!.GetValue<string>());
        Assert.Equal(image.Layers.Select(l => l.Digest), inspect["Layers"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal("amd64", inspect["Architecture"]!.GetValue<string>());

        registry.ResetRequests();
        var copy = Path.Combine(work.Path, "copy");
        await OciTool.SkopeoAsync(["copy", "--quiet", "--src-tls-verify=false", registry.Docker("team/app", "1.0"), $"oci:{copy}:1.0"], Bounded);
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(copy, "index.json")))!;
        Assert.Equal(image.Digest, index["manifests"]![0]!["digest"]!.GetValue<string>());
        foreach (var layer in image.Layers)
        {
            Assert.Equal(builder.ReadBlob(layer.Digest), await File.ReadAllBytesAsync(Path.Combine(copy, "blobs", "sha256", layer.Hex)));
            Assert.Equal(1, registry.BlobGets("team/app", layer.Digest));
        }
    }

    [Fact]
    public async Task The_multi_platform_index_lists_two_platforms_and_skopeo_picks_each()
    {
        var amd64 = await builder.BuildImageAsync("amd64", [8_000, 4_000], seed: 2, platform: "linux/amd64");
        var arm64 = await builder.BuildImageAsync("arm64", [8_000, 4_000], seed: 3, platform: "linux/arm64");
        var built = await builder.BuildIndexAsync("multi", [amd64, arm64]);
        var pushed = await builder.PushAsync("multi", registry, "team/multi", "1.0");

        Assert.Equal(built.Digest, pushed.Digest);
        Assert.Equal(OciTestMediaTypes.ImageIndex, pushed.MediaType);
        Assert.Equal(["linux/amd64", "linux/arm64"], pushed.Children.Select(c => c.Platform));
        Assert.Equal([amd64.Digest, arm64.Digest], pushed.Children.Select(c => c.Digest));

        var raw = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--raw", "--tls-verify=false", registry.Docker("team/multi", "1.0")], Bounded))!;
        Assert.Equal(["amd64", "arm64"], raw["manifests"]!.AsArray().Select(m => m!["platform"]!["architecture"]!.GetValue<string>()));
        var arm = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--override-arch", "arm64", "--tls-verify=false",
            registry.Docker("team/multi", "1.0")], Bounded))!;
        Assert.Equal(arm64.Layers.Select(l => l.Digest), arm["Layers"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal("arm64", arm["Architecture"]!.GetValue<string>());
    }

    [Fact]
    public async Task Docker_schema_2_pushes_serve_a_docker_manifest_and_manifest_list_over_the_same_layers()
    {
        var amd64 = await builder.BuildImageAsync("amd64", [6_000], seed: 4, platform: "linux/amd64");
        var arm64 = await builder.BuildImageAsync("arm64", [6_000], seed: 5, platform: "linux/arm64");
        await builder.BuildIndexAsync("multi", [amd64, arm64]);

        var single = await builder.PushAsync("amd64", registry, "team/docker", "single", OciPushFormat.DockerSchema2);
        Assert.Equal(OciTestMediaTypes.DockerManifest, single.MediaType);
        Assert.NotEqual(amd64.Digest, single.Digest);
        Assert.Equal(amd64.Layers.Select(l => l.Digest), single.Layers.Select(l => l.Digest));

        var list = await builder.PushAsync("multi", registry, "team/docker", "list", OciPushFormat.DockerSchema2);
        Assert.Equal(OciTestMediaTypes.DockerManifestList, list.MediaType);
        Assert.Equal(["linux/amd64", "linux/arm64"], list.Children.Select(c => c.Platform));
        Assert.All(list.Children, c => Assert.Equal(OciTestMediaTypes.DockerManifest, c.MediaType));
    }

    [Fact]
    public async Task Podman_pulls_the_multi_layer_image_and_inspect_shows_its_digest()
    {
        var image = await builder.BuildAndPushAsync(registry, "team/podman", "1.0", [30_000, 15_000]);
        using var podman = new PodmanStore();

        await podman.PullAsync(registry.Reference("team/podman", "1.0"));

        var inspect = await podman.InspectAsync(registry.Reference("team/podman", "1.0"));
        Assert.Equal(image.Digest, inspect["Digest"]!.GetValue<string>());
        Assert.Contains(registry.Reference("team/podman", image.Digest), inspect["RepoDigests"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(image.Config!.Hex, inspect["Id"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_artifact_with_a_subject_its_referrers_tag_and_a_cosign_signature_are_served_byte_for_byte()
    {
        var image = await builder.BuildAndPushAsync(registry, "team/signed", "1.0", [5_000]);
        using var client = new OciRegistryClient(registry.Address);

        var sbom = await client.PushArtifactAsync("team/signed", image, "application/spdx+json", Encoding.UTF8.GetBytes("""{"spdxVersion":"SPDX-2.3"}"""),
            "application/spdx+json");
        var referrers = await client.PushReferrersTagAsync("team/signed", image, [sbom]);
        var signature = await client.PushCosignSignatureAsync("team/signed", image);

        var served = await client.GetManifestAsync("team/signed", sbom.Digest);
        Assert.Equal(sbom.Manifest, served.Manifest);
        Assert.Equal(image.Digest, served.Subject!.Digest);
        Assert.Equal("application/spdx+json", served.ArtifactType);
        var fallback = await client.GetManifestAsync("team/signed", $"sha256-{image.Hex}");
        Assert.Equal(referrers.Digest, fallback.Digest);
        Assert.Equal([sbom.Digest], fallback.Children.Select(c => c.Digest));
        Assert.Equal(signature.Digest, (await client.GetManifestAsync("team/signed", $"sha256-{image.Hex}.sig")).Digest);
        Assert.Equal(["1.0", $"sha256-{image.Hex}", $"sha256-{image.Hex}.sig"], (await client.ListTagsAsync("team/signed")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Tags_and_variants_put_over_http_and_a_thousand_tags_written_to_storage_are_listed_and_resolve()
    {
        var image = await builder.BuildAndPushAsync(registry, "team/tags", "base", [1_000]);
        using var client = new OciRegistryClient(registry.Address);

        await client.TagManyAsync("team/tags", image, Enumerable.Range(0, 20).Select(i => $"0.{i}"));
        var variants = await client.PushVariantsAsync("team/tags", image, [.. Enumerable.Range(0, 20).Select(i => $"2.{i}")]);
        registry.AddTagsInStorage("team/tags", image.Digest, Enumerable.Range(0, 1_000).Select(i => $"1.{i}"));

        var tags = await client.ListTagsAsync("team/tags");
        Assert.Equal(1_041, tags.Count);
        Assert.Equal(20, variants.Select(v => v.Digest).Distinct().Count());
        var variant = await client.GetManifestAsync("team/tags", "2.7");
        Assert.Equal(variants[7].Digest, variant.Digest);
        Assert.Equal(image.Layers, variant.Layers);
        Assert.Equal(image.Digest, (await client.GetManifestAsync("team/tags", "0.19")).Digest);
        Assert.Equal(image.Digest, (await client.GetManifestAsync("team/tags", "1.999")).Digest);
        var inspect = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", registry.Docker("team/tags", "1.500")], Bounded))!;
        Assert.Equal(image.Digest, inspect["Digest"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_corrupted_blob_is_served_with_bytes_that_do_not_match_its_digest_and_skopeo_refuses_it()
    {
        var image = await builder.BuildAndPushAsync(registry, "team/corrupt", "1.0", [9_000, 2_000]);
        using var client = new OciRegistryClient(registry.Address);

        registry.CorruptBlob(image.Layers[0].Digest);

        var served = await client.GetBlobAsync("team/corrupt", image.Layers[0].Digest);
        Assert.Equal(image.Layers[0].Size, served.Length);
        Assert.NotEqual(image.Layers[0].Digest, OciRegistryClient.Sha256(served));
        var (code, _, error) = await OciTool.TryRunAsync("skopeo", ["copy", "--src-tls-verify=false", "--retry-times", "0",
            registry.Docker("team/corrupt", "1.0"), $"oci:{Path.Combine(work.Path, "corrupt")}:1.0"], Bounded);
        Assert.NotEqual(0, code);
        Assert.True(error.Contains("digest", StringComparison.OrdinalIgnoreCase), error);
    }

    [Fact]
    public async Task A_pull_through_cache_serves_an_image_again_when_its_upstream_is_gone()
    {
        var image = await builder.BuildAndPushAsync(registry, "team/cached", "1.0", [12_000, 3_000]);
        await using var cache = await ReferenceRegistry.StartAsync(new ReferenceRegistryOptions { ProxyRemoteUrl = registry.Address });
        var copy = Path.Combine(work.Path, "cached");
        await OciTool.SkopeoAsync(["copy", "--quiet", "--src-tls-verify=false", cache.Docker("team/cached", image.Digest), $"oci:{copy}:a"], Bounded);
        // distribution 2.8's cache GETs each blob from its upstream twice on a cold pull (seen here): assert only that it went there.
        Assert.All(image.Layers, l => Assert.InRange(registry.BlobGets("team/cached", l.Digest), 1, 2));

        await registry.StopAsync();
        await OciTool.SkopeoAsync(["copy", "--quiet", "--src-tls-verify=false", cache.Docker("team/cached", image.Digest), $"oci:{copy}:b"], Bounded);

        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(copy, "index.json")))!;
        Assert.All(index["manifests"]!.AsArray(), m => Assert.Equal(image.Digest, m!["digest"]!.GetValue<string>()));
    }
}
