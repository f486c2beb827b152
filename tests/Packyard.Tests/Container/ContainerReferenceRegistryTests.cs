using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Infrastructure.Oci;

namespace Packyard.Tests.Container;

/// <summary>
/// Syncing from Debian's docker-registry (the reference registry, started by the test, anonymous and behind a Bearer token
/// server) images built with umoci and pushed with skopeo, then reading them back from Packyard with skopeo and podman: the
/// manifests and layers are the upstream's, digest for digest.
/// </summary>
public sealed class ContainerReferenceRegistryTests(ContainerFixture app) : IClassFixture<ContainerFixture>, IAsyncLifetime
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

    private string Packyard(string basePath, string tag) => $"docker://{app.BaseAddress.Authority}/{basePath}:{tag}";

    [Fact]
    public async Task Skopeo_reads_a_synced_image_and_index_with_the_upstreams_digests_and_layers()
    {
        await using var registry = await ReferenceRegistry.StartAsync();
        var image = await builder.BuildAndPushAsync(registry, "team/app", "1.0", [40_000, 20_000, 10_000], seed: 1);
        var docker = await builder.BuildAndPushAsync(registry, "team/app", "docker", [5_000], seed: 2, format: OciPushFormat.DockerSchema2);
        var amd64 = await builder.BuildImageAsync("amd64", [8_000, 4_000], seed: 3, platform: "linux/amd64");
        var arm64 = await builder.BuildImageAsync("arm64", [8_000, 4_000], seed: 4, platform: "linux/arm64");
        await builder.BuildIndexAsync("multi", [amd64, arm64]);
        var index = await builder.PushAsync("multi", registry, "team/app");
        var repository = await app.ContainerRepositoryAsync();

        var outcome = await app.SyncAsync(repository, registry.Address, """{"upstreamName":"team/app"}""");

        Assert.True(outcome.Created);
        var inspect = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", Packyard(repository.BasePath, "1.0")], Bounded))!;
        Assert.Equal(image.Digest, inspect["Digest"]!.GetValue<string>());
        Assert.Equal(image.Layers.Select(l => l.Digest), inspect["Layers"]!.AsArray().Select(l => l!.GetValue<string>()));
        var dockerInspect = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", Packyard(repository.BasePath, "docker")], Bounded))!;
        Assert.Equal(docker.Digest, dockerInspect["Digest"]!.GetValue<string>());
        var tags = JsonNode.Parse(await OciTool.SkopeoAsync(["list-tags", "--tls-verify=false", $"docker://{app.BaseAddress.Authority}/{repository.BasePath}"], Bounded))!;
        Assert.Equal(["1.0", "docker", "multi"], tags["Tags"]!.AsArray().Select(t => t!.GetValue<string>()));

        var copy = Path.Combine(work.Path, "copy");
        await OciTool.SkopeoAsync(["copy", "--quiet", "--src-tls-verify=false", Packyard(repository.BasePath, "1.0"), $"oci:{copy}:1.0"], Bounded);
        await OciTool.SkopeoAsync(["copy", "--quiet", "--all", "--src-tls-verify=false", Packyard(repository.BasePath, "multi"), $"oci:{copy}:multi"], Bounded);
        var copied = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(copy, "index.json")))!["manifests"]!.AsArray();
        string Copied(string tag) => copied.Single(m => m!["annotations"]?["org.opencontainers.image.ref.name"]?.GetValue<string>() == tag)!["digest"]!.GetValue<string>();
        Assert.Equal(image.Digest, Copied("1.0"));
        Assert.Equal(index.Digest, Copied("multi"));
        foreach (var layer in image.Layers.Concat(amd64.Layers).Concat(arm64.Layers))
        {
            Assert.Equal(builder.ReadBlob(layer.Digest), await File.ReadAllBytesAsync(Path.Combine(copy, "blobs", "sha256", layer.Hex)));
        }

        var synced = Path.Combine(work.Path, "synced");
        await OciTool.SkopeoAsync(["sync", "--src", "docker", "--dest", "dir", "--src-tls-verify=false", "--retry-times", "0",
            $"{app.BaseAddress.Authority}/{repository.BasePath}", synced], Bounded);
        var manifests = Directory.GetFiles(synced, "manifest.json", SearchOption.AllDirectories);
        Assert.Equal(3, manifests.Length);
        Assert.Contains(manifests, m => ScriptedRegistry.Digest(File.ReadAllBytes(m)) == image.Digest);
    }

    [Fact]
    public async Task Sync_through_the_Bearer_token_flow_of_a_protected_registry_and_podman_pulls_the_same_digest()
    {
        var credentials = ("tester", "tester-password");
        await using var tokens = await BearerTokenServer.StartAsync();
        await using var registry = await ReferenceRegistry.StartAsync(new ReferenceRegistryOptions { TokenServer = tokens });
        var image = await builder.BuildAndPushAsync(registry, "private/app", "1.0", [12_000, 6_000], seed: 5, credentials: credentials);
        tokens.ResetRequests();
        registry.ResetRequests();
        var repository = await app.ContainerRepositoryAsync();

        await app.SyncAsync(repository, registry.Address, """{"upstreamName":"private/app"}""", change: s => s with { Username = "tester", Password = "tester-password" });

        Assert.Contains(tokens.Requests, r => r is { User: "tester", Status: 200 } && r.Scopes.Contains("repository:private/app:pull"));
        Assert.InRange(tokens.IssuedTokens, 1, 2);
        Assert.Contains(registry.Requests, r => r is { Status: 200, AuthorizationScheme: "Bearer" } && r.Path.StartsWith("/v2/private/app/blobs/", StringComparison.Ordinal));

        using var podman = new PodmanStore();
        var reference = $"{app.BaseAddress.Authority}/{repository.BasePath}:1.0";
        await podman.PullAsync(reference);
        Assert.Equal(image.Digest, (await podman.InspectAsync(reference))["Digest"]!.GetValue<string>());
    }
}
