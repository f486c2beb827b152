using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Engine.Publishing;
using Packyard.Engine.Storage;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Infrastructure.Oci;
using Packyard.Tests.Server;

namespace Packyard.Tests.Container.PullThrough;

/// <summary>
/// A pull-through Distribution for a whole registry (a container Remote without <c>upstreamName</c>): images never synced are
/// pulled through <c>&lt;basePath&gt;/&lt;upstream repository&gt;</c> or containerd's <c>?ns=</c> from Debian's docker-registry with skopeo,
/// fetched from upstream once however many clients ask, served again with the upstream stopped, tags re-checked after tagTTL.
/// </summary>
public sealed class ContainerPullThroughTests(ContainerFixture app) : IClassFixture<ContainerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromMinutes(2);
    private readonly OciImageBuilder builder = new();
    private readonly TemporaryDirectory work = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        builder.Dispose();
        work.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>An empty container repository (version 0 published) behind a pull-through Distribution of <paramref name="registry"/>.</summary>
    private async Task<string> PullThroughAsync(ReferenceRegistry registry, TimeSpan? tagTtl = null, string? upstreamName = null)
    {
        var name = $"ptc-{Guid.NewGuid():N}";
        var id = await app.Catalog.EnsureRepositoryAsync("default", name, "container", CancellationToken.None);
        await app.Get<PublicationService>().PublishAsync(id, name, "container", 0, PublishOptions.None, CancellationToken.None);
        var options = upstreamName is null ? null : TypeOptionsJson.Read<RemoteTypeOptions>("container", $$"""{"upstreamName":"{{upstreamName}}"}""");
        var (_, remoteId) = await app.RemoteAsync($"remote-{name}", registry.Address, s => s with { Type = "container", TypeOptions = options });
        var basePath = ContentAppFixture.UniqueBasePath("hub");
        await app.Catalog.UpsertDistributionAsync(new DistributionRecord("default", $"dist-{name}", basePath, id, null, false, null, remoteId, tagTtl), CancellationToken.None);
        app.Distributions.Invalidate();
        return basePath;
    }

    private string Packyard(string name, string tag) => $"docker://{app.BaseAddress.Authority}/{name}:{tag}";

    private async Task<string> CopyAsync(string source, string target)
    {
        var layout = Path.Combine(work.Path, target);
        await OciTool.SkopeoAsync(["copy", "--quiet", "--retry-times", "0", "--src-tls-verify=false", source, $"oci:{layout}:copied"], Bounded);
        return JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!["manifests"]![0]!["digest"]!.GetValue<string>();
    }

    private async Task<HttpResponseMessage> ManifestAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciTestMediaTypes.ImageManifest));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciTestMediaTypes.ImageIndex));
        return await app.Http.SendAsync(request);
    }

    private static string Digest(HttpResponseMessage response) => response.Headers.GetValues("Docker-Content-Digest").Single();

    [Fact]
    public async Task An_image_never_synced_is_pulled_through_base_path_and_upstream_name_and_again_with_the_upstream_stopped()
    {
        await using var registry = await ReferenceRegistry.StartAsync();
        var image = await builder.BuildAndPushAsync(registry, "team/app", "1.0", [40_000, 20_000, 10_000], seed: 11);
        var basePath = await PullThroughAsync(registry);

        Assert.Equal(image.Digest, await CopyAsync(Packyard($"{basePath}/team/app", "1.0"), "first"));
        foreach (var layer in image.Layers)
        {
            Assert.Equal(builder.ReadBlob(layer.Digest), await File.ReadAllBytesAsync(Path.Combine(work.Path, "first", "blobs", "sha256", layer.Hex)));
            Assert.Equal(1, registry.BlobGets("team/app", layer.Digest));
        }

        await registry.StopAsync();

        Assert.Equal(image.Digest, await CopyAsync(Packyard($"{basePath}/team/app", "1.0"), "second"));
        using var podman = new PodmanStore();
        var reference = $"{app.BaseAddress.Authority}/{basePath}/team/app:1.0";
        await podman.PullAsync(reference);
        Assert.Equal(image.Digest, (await podman.InspectAsync(reference))["Digest"]!.GetValue<string>());
        var missing = await ManifestAsync($"/v2/{basePath}/team/other/manifests/1.0");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("MANIFEST_UNKNOWN", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registries_conf_mirror_pulls_an_upstream_image_through_packyard_while_the_upstream_is_stopped()
    {
        await using var registry = await ReferenceRegistry.StartAsync();
        var image = await builder.BuildAndPushAsync(registry, "team/mirrored", "2.0", [30_000, 5_000], seed: 12);
        var basePath = await PullThroughAsync(registry);
        Assert.Equal(image.Digest, await CopyAsync(Packyard($"{basePath}/team/mirrored", "2.0"), "warm"));
        await registry.StopAsync();
        var conf = Path.Combine(work.Path, "registries.conf");
        await File.WriteAllTextAsync(conf, $"""
            [[registry]]
            prefix = "{registry.Host}"
            location = "{registry.Host}"
            insecure = true

            [[registry.mirror]]
            location = "{app.BaseAddress.Authority}/{basePath}"
            insecure = true
            """);
        var layout = Path.Combine(work.Path, "mirrored");

        await OciTool.SkopeoAsync(["--registries-conf", conf, "copy", "--quiet", "--retry-times", "0", registry.Docker("team/mirrored", "2.0"), $"oci:{layout}:copied"], Bounded);

        Assert.Equal(image.Digest, JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!["manifests"]![0]!["digest"]!.GetValue<string>());
    }

    [Fact]
    public async Task Requests_with_ns_go_to_the_pull_through_distribution_of_that_registry_and_ambiguity_or_no_match_is_an_OCI_error()
    {
        await using var first = await ReferenceRegistry.StartAsync();
        await using var second = await ReferenceRegistry.StartAsync();
        var one = await builder.BuildAndPushAsync(first, "team/app", "1.0", [9_000], seed: 21);
        var two = await builder.BuildAndPushAsync(second, "team/app", "1.0", [9_000], seed: 22);
        var firstBasePath = await PullThroughAsync(first);
        await PullThroughAsync(second);

        var fromFirst = await ManifestAsync($"/v2/team/app/manifests/1.0?ns={first.Host}");
        var fromSecond = await ManifestAsync($"/v2/team/app/manifests/1.0?ns={second.Host}");
        var blob = await app.Http.GetByteArrayAsync($"/v2/team/app/blobs/{two.Layers[0].Digest}?ns={second.Host}");

        var overridePath = await ManifestAsync($"/v2/{firstBasePath}/team/app/manifests/1.0?ns={first.Host}");

        Assert.Equal(one.Digest, Digest(fromFirst));
        Assert.Equal(one.Digest, Digest(overridePath));
        Assert.Equal(two.Digest, Digest(fromSecond));
        Assert.Equal(builder.ReadBlob(two.Layers[0].Digest), blob);
        Assert.Equal(0, first.BlobGets("team/app", two.Layers[0].Digest));
        var unknown = await ManifestAsync("/v2/team/app/manifests/1.0?ns=quay.io");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("NAME_UNKNOWN", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("no pull-through Distribution mirrors registry", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var again = await PullThroughAsync(first);
        var ambiguous = await ManifestAsync($"/v2/team/app/manifests/1.0?ns={first.Host}");
        Assert.Equal(HttpStatusCode.Conflict, ambiguous.StatusCode);
        Assert.Contains(again, await ambiguous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"code\":\"UNSUPPORTED\"", await ambiguous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_remote_with_upstream_name_serves_only_that_repository_under_the_base_path()
    {
        await using var registry = await ReferenceRegistry.StartAsync();
        var image = await builder.BuildAndPushAsync(registry, "team/only", "1.0", [7_000], seed: 31);
        await builder.BuildAndPushAsync(registry, "team/other", "1.0", [7_000], seed: 32);
        var basePath = await PullThroughAsync(registry, upstreamName: "team/only");

        var other = await ManifestAsync($"/v2/{basePath}/team/other/manifests/1.0");
        var own = await ManifestAsync($"/v2/{basePath}/manifests/1.0");

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains("NAME_UNKNOWN", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, registry.CountRequests("HEAD", "/v2/team/other/manifests/1.0"));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(image.Digest, Digest(own));
    }

    [Fact]
    public async Task Twenty_concurrent_pulls_of_the_same_image_fetch_each_blob_and_manifest_from_upstream_once()
    {
        await using var registry = await ReferenceRegistry.StartAsync();
        var image = await builder.BuildAndPushAsync(registry, "team/busy", "1.0", [300_000, 200_000, 100_000], seed: 41);
        var basePath = await PullThroughAsync(registry);
        registry.ResetRequests();

        var digests = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => CopyAsync(Packyard($"{basePath}/team/busy", "1.0"), $"client-{i}")));

        Assert.All(digests, d => Assert.Equal(image.Digest, d));
        Assert.Equal(1, registry.CountRequests("GET", $"/v2/team/busy/manifests/{image.Digest}"));
        Assert.Equal(1, registry.CountRequests("HEAD", "/v2/team/busy/manifests/1.0"));
        foreach (var blob in image.Layers.Append(image.Config!))
        {
            Assert.Equal(1, registry.BlobGets("team/busy", blob.Digest));
        }
    }

    [Fact]
    public async Task A_moved_tag_keeps_its_old_digest_within_the_tag_TTL_and_gets_the_new_one_after_it_while_digests_never_go_upstream_again()
    {
        var ttl = TimeSpan.FromSeconds(8);
        await using var registry = await ReferenceRegistry.StartAsync();
        var old = await builder.BuildAndPushAsync(registry, "team/moving", "latest", [5_000], seed: 51);
        await builder.BuildImageAsync("next", [6_000], seed: 52);
        var basePath = await PullThroughAsync(registry, ttl);
        var checkedAt = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(old.Digest, Digest(await ManifestAsync($"/v2/{basePath}/team/moving/manifests/latest")));
        var moved = await builder.PushAsync("next", registry, "team/moving", destinationTag: "latest");

        var within = await ManifestAsync($"/v2/{basePath}/team/moving/manifests/latest");
        Assert.True(checkedAt.Elapsed < ttl, $"the push took {checkedAt.Elapsed}, longer than the TTL");
        await Task.Delay(ttl - checkedAt.Elapsed + TimeSpan.FromSeconds(1));
        var after = await ManifestAsync($"/v2/{basePath}/team/moving/manifests/latest");
        var byDigest = registry.CountRequests("GET", $"/v2/team/moving/manifests/{old.Digest}");
        var pinned = await ManifestAsync($"/v2/{basePath}/team/moving/manifests/{old.Digest}");

        Assert.Equal(old.Digest, Digest(within));
        Assert.Equal(moved.Digest, Digest(after));
        Assert.Equal(old.Digest, Digest(pinned));
        Assert.Equal(byDigest, registry.CountRequests("GET", $"/v2/team/moving/manifests/{old.Digest}"));

        await registry.StopAsync();
        await Task.Delay(ttl + TimeSpan.FromSeconds(1));
        var down = await ManifestAsync($"/v2/{basePath}/team/moving/manifests/latest");
        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        Assert.Equal(moved.Digest, Digest(down));
    }

    [Fact]
    public async Task An_upstream_blob_that_does_not_match_its_digest_is_not_stored_and_every_client_gets_an_error()
    {
        await using var registry = await ReferenceRegistry.StartAsync();
        var image = await builder.BuildAndPushAsync(registry, "team/broken", "1.0", [50_000, 8_000], seed: 61);
        var basePath = await PullThroughAsync(registry);
        var corrupt = image.Layers[0];
        registry.CorruptBlob(corrupt.Digest);
        Assert.Equal(HttpStatusCode.OK, (await ManifestAsync($"/v2/{basePath}/team/broken/manifests/1.0")).StatusCode);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                using var response = await app.Http.GetAsync($"/v2/{basePath}/team/broken/blobs/{corrupt.Digest}");
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            });
        }

        Assert.False(await app.Get<IArtifactStore>().ExistsAsync(corrupt.Hex, CancellationToken.None));
        Assert.Equal(builder.ReadBlob(image.Layers[1].Digest), await app.Http.GetByteArrayAsync($"/v2/{basePath}/team/broken/blobs/{image.Layers[1].Digest}"));
        Assert.Equal(2, registry.BlobGets("team/broken", corrupt.Digest));
    }

    [Theory]
    [InlineData("team/.../secret")]
    [InlineData("team/..%2Fsecret")]
    [InlineData("Team/App")]
    public async Task Path_traversal_or_an_invalid_name_in_the_upstream_repository_is_refused_before_anything_goes_upstream(string name)
    {
        await using var registry = await ReferenceRegistry.StartAsync();
        var basePath = await PullThroughAsync(registry);
        registry.ResetRequests();

        var response = await ManifestAsync($"/v2/{basePath}/{name}/manifests/1.0");
        var mirrored = await ManifestAsync($"/v2/{name}/manifests/1.0?ns={registry.Host}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("NAME_INVALID", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, mirrored.StatusCode);
        Assert.Empty(registry.Requests);
    }
}
