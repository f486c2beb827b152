using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Operator;

namespace Packyard.Tests.Standalone;

/// <summary>Standalone mode answers <c>/metrics</c> as operator mode does: the same names, counted by the same runtime.</summary>
public sealed class StandaloneMetricsTests
{
    [Fact]
    public async Task Metrics_count_reconciles_syncs_downloaded_and_served_bytes_and_tasks_in_Prometheus_text()
    {
        using var workspace = new StandaloneWorkspace();
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(workspace.PathOf("upstream")).FullName, "one.txt"), "one\n");
        workspace.WriteUpstreamManifest();
        await using var upstream = await HttpUpstream.StartAsync(workspace.PathOf("upstream"));
        workspace.Write("mirror.yaml", $$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: mirror}
            spec: {type: file, url: "{{{upstream.Url}}}"}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: mirror}
            spec: {type: file, remoteRef: {name: mirror}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: mirror}
            spec: {basePath: files/mirror, repositoryRef: {name: mirror}}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(StandaloneMetricsTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        await packyard.WaitForAsync("mirror and its Distribution are Ready", r => r.IsReady("Repository", "mirror") && r.IsReady("Distribution", "mirror"));
        Assert.Equal("one\n", await packyard.Http.GetStringAsync("files/mirror/one.txt"));

        using var response = await packyard.Http.GetAsync("metrics");
        var metrics = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(OperatorCluster.Metric(metrics, "packyard_reconcile_total", "kind=\"Repository\"", "result=\"done\"") >= 1, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_sync_duration_seconds_count", "result=\"succeeded\"") >= 1, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_downloaded_bytes_total") >= 4, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_served_bytes_total") >= 4, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_tasks", "state=\"succeeded\"") >= 1, metrics);
        Assert.Contains("# TYPE packyard_workqueue_depth gauge", metrics, StringComparison.Ordinal);
    }
}
