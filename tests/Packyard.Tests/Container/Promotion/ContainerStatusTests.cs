using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Tests.Controllers.Fakes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Container.Promotion;

/// <summary>
/// A container Repository's status counts its tags, manifests and blobs apart (other types keep one content count), and
/// <c>kubectl get repositories</c> shows the tags in a table that stays within 120 columns.
/// </summary>
public sealed class ContainerStatusTests(ContainerFixture app) : IClassFixture<ContainerFixture>, IAsyncLifetime
{
    private readonly TemporaryDirectory directory = new();
    private KubernetesEnvironment environment = null!;
    private string ns = null!;
    private Kubectl kubectl = null!;

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        ns = await environment.CreateNamespaceAsync("ctr-status");
        kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "kubeconfig"), ns));
    }

    public Task DisposeAsync()
    {
        kubectl.Dispose();
        directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_container_repositorys_state_counts_tags_manifests_and_blobs_and_a_file_repositorys_does_not()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var amd64 = TestImages.AddImage(registry, seed: 31);
        var arm64 = TestImages.AddImage(registry, seed: 32, platform: "linux/arm64");
        var (index, _) = TestImages.AddIndex(registry, [(amd64, "linux/amd64"), (arm64, "linux/arm64")]);
        registry.Tag("app", "1.0", index);
        registry.Tag("app", "latest", index);
        registry.Tag("app", "solo", amd64.Digest);
        var repository = await app.ContainerRepositoryAsync();
        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");
        var files = await app.Catalog.EnsureRepositoryAsync("default", $"files-{Guid.NewGuid():N}", "file", CancellationToken.None);

        var state = await app.Catalog.GetRepositoryStateAsync(repository.Id, 1, CancellationToken.None);
        var fileState = await app.Catalog.GetRepositoryStateAsync(files, 1, CancellationToken.None);

        // 3 tags; the index and its 2 children; 2 configs and 2 × 2 layers.
        Assert.Equal([("tags", 3L), ("manifests", 3L), ("blobs", 6L)], state.ContentCounts!.Select(c => (c.Key, c.Value)));
        Assert.Equal(12, state.Latest.ContentCount);
        Assert.Null(fileState.ContentCounts);
    }

    [Fact]
    public async Task The_repository_reconciler_reports_the_counts_in_status_and_in_the_Ready_message()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 33, layers: 3);
        registry.Tag("app", "1.0", image.Digest);
        registry.Tag("app", "latest", image.Digest);
        var repository = await app.ContainerRepositoryAsync();
        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");
        var world = new ReconcileWorld();
        var resource = world.AddRepository(repository.Name, ContentType.Container, remote: null);

        var result = await new RepositoryReconciler(world.Services with { Catalog = app.Catalog }, world.Resources).ReconcileAsync(resource, CancellationToken.None);

        Assert.Equal((StepOutcome.Done, "version 1 with 7 units (tags: 2, manifests: 1, blobs: 4); version 1 published"), (result.Outcome, result.Message));
        Assert.Equal([("tags", 2L), ("manifests", 1L), ("blobs", 4L)], resource.Status!.ContentCounts!.Select(c => (c.Key, c.Value)));
        Assert.Equal(7, resource.Status.ContentCount);
    }

    [Fact]
    public async Task Kubectl_get_repositories_shows_the_tags_column_within_120_columns()
    {
        await kubectl.SucceedAsync("apply", "-f", directory.Write("repositories.yaml", """
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: nginx-mirror-production}
            spec: {type: container}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: files}
            spec: {type: file}
            """));
        await PatchStatusAsync("nginx-mirror-production", new JsonObject
        {
            ["latestVersion"] = 12, ["contentCount"] = 14_212,
            ["contentCounts"] = new JsonObject { ["tags"] = 1_000, ["manifests"] = 3_012, ["blobs"] = 10_200 },
            ["progress"] = new JsonObject { ["task"] = 7, ["kind"] = "sync", ["phase"] = "Downloading", ["done"] = 2_999, ["total"] = 10_200, ["summary"] = "Downloading 2999/10200 1.2GiB" },
        });
        await PatchStatusAsync("files", new JsonObject { ["latestVersion"] = 3, ["contentCount"] = 40 });

        var table = (await kubectl.SucceedAsync("get", "repositories")).TrimEnd().Split('\n');

        Assert.Equal(["NAME", "TYPE", "VERSION", "CONTENT", "TAGS", "READY", "PROGRESS", "AGE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var tags = table[0].IndexOf("TAGS", StringComparison.Ordinal);
        Assert.Equal(["files", "file", "3", "40"], table[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4]);
        Assert.Equal("", table[1][tags..(tags + 4)].Trim()); // no tags for a file repository: an empty cell
        Assert.Equal(["nginx-mirror-production", "container", "12", "14212", "1000"], table[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..5]);
        Assert.Equal("1000", table[2][tags..(tags + 4)]);
        Assert.All(table, line => Assert.InRange(line.Length, 1, 120));
        Assert.Equal("1000/3012/10200", await kubectl.SucceedAsync("get", "repository", "nginx-mirror-production", "-o",
            "jsonpath={.status.contentCounts.tags}/{.status.contentCounts.manifests}/{.status.contentCounts.blobs}"));
    }

    private async Task PatchStatusAsync(string name, JsonObject status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/apis/packyard.io/v1alpha1/namespaces/{ns}/repositories/{name}/status")
        {
            Content = new StringContent(new JsonObject { ["status"] = status }.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await environment.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
