using Packyard.Operator;

namespace Packyard.Tests.Kubernetes.Operator;

public sealed class PrometheusTextExporterTests
{
    [Fact]
    public void Counters_histograms_and_gauges_render_in_the_text_exposition_format()
    {
        using var metrics = new OperatorMetrics();
        using var exporter = new PrometheusTextExporter(OperatorMetrics.MeterName);
        metrics.Reconciled("Repository", "done", TimeSpan.FromMilliseconds(30));
        metrics.Reconciled("Repository", "done", TimeSpan.FromSeconds(3));
        metrics.Reconciled("Distribution", "wait", TimeSpan.FromMilliseconds(2));
        metrics.Tasks(new Dictionary<string, long> { ["running"] = 1, ["succeeded"] = 7 });
        metrics.TrackQueue(() => 4);
        metrics.Leading(true);

        var lines = exporter.Render().Split('\n');

        Assert.Contains("# TYPE packyard_reconcile_total counter", lines);
        Assert.Contains("packyard_reconcile_total{kind=\"Repository\",result=\"done\"} 2", lines);
        Assert.Contains("packyard_reconcile_total{kind=\"Distribution\",result=\"wait\"} 1", lines);
        Assert.Contains("# TYPE packyard_reconcile_duration_seconds histogram", lines);
        Assert.Contains("packyard_reconcile_duration_seconds_bucket{kind=\"Repository\",result=\"done\",le=\"0.05\"} 1", lines);
        Assert.Contains("packyard_reconcile_duration_seconds_bucket{kind=\"Repository\",result=\"done\",le=\"5\"} 2", lines);
        Assert.Contains("packyard_reconcile_duration_seconds_bucket{kind=\"Repository\",result=\"done\",le=\"+Inf\"} 2", lines);
        Assert.Contains("packyard_reconcile_duration_seconds_count{kind=\"Repository\",result=\"done\"} 2", lines);
        Assert.Contains(lines, l => l.StartsWith("packyard_reconcile_duration_seconds_sum{kind=\"Repository\",result=\"done\"} 3.0", StringComparison.Ordinal));
        Assert.Contains("packyard_workqueue_depth 4", lines);
        Assert.Contains("packyard_leader 1", lines);
        Assert.Contains("packyard_tasks{state=\"succeeded\"} 7", lines);

        metrics.Leading(false);
        Assert.Contains("packyard_leader 0", exporter.Render().Split('\n'));
    }
}
