using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Packyard.Operator;

/// <summary>
/// The operator's instruments (System.Diagnostics.Metrics, named as Prometheus metrics): reconciles and their durations by
/// kind and result, work-queue depth, informer list durations, sync durations, bytes downloaded and served, tasks by state,
/// whether this replica leads, and the process's memory as the runtime sees it (resident set, GC heap and committed
/// bytes, threads), so RSS can be told apart from the GC heap. <see cref="PrometheusTextExporter"/> renders them.
/// </summary>
public sealed class OperatorMetrics : IDisposable
{
    public const string MeterName = "Packyard.Operator";
    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> reconciles;
    private readonly Histogram<double> reconcileDuration;
    private readonly Histogram<double> syncDuration;
    private readonly Counter<long> downloaded;
    private readonly Counter<long> served;
    private volatile Func<int>? queueDepth;
    private volatile IReadOnlyDictionary<string, long> tasks = new Dictionary<string, long>();
    private int leader;

    public OperatorMetrics()
    {
        reconciles = meter.CreateCounter<long>("packyard_reconcile_total", description: "Reconciles by kind and result.");
        reconcileDuration = meter.CreateHistogram<double>("packyard_reconcile_duration_seconds", "s", "Reconcile duration by kind and result.");
        syncDuration = meter.CreateHistogram<double>("packyard_sync_duration_seconds", "s", "Repository sync duration by result.");
        downloaded = meter.CreateCounter<long>("packyard_downloaded_bytes_total", "By", "Bytes downloaded from upstreams by syncs.");
        served = meter.CreateCounter<long>("packyard_served_bytes_total", "By", "Bytes of content served by the content app.");
        meter.CreateObservableGauge("packyard_workqueue_depth", () => queueDepth?.Invoke() ?? 0, description: "Keys waiting in the controller work queue.");
        meter.CreateObservableGauge("packyard_leader", () => Volatile.Read(ref leader), description: "1 while this replica holds the controller Lease.");
        meter.CreateObservableGauge("packyard_tasks", () => tasks.Select(t => new Measurement<long>(t.Value, new KeyValuePair<string, object?>("state", t.Key))),
            description: "Engine tasks (syncs) recorded in the database, by state.");
        meter.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet, "By", "Resident set size of this process.");
        meter.CreateObservableGauge("packyard_gc_heap_bytes", () => GC.GetGCMemoryInfo().HeapSizeBytes, "By",
            "Size of the GC heap after the last collection.");
        meter.CreateObservableGauge("packyard_gc_committed_bytes", () => GC.GetGCMemoryInfo().TotalCommittedBytes, "By",
            "Memory the GC has committed (heap, free space and bookkeeping) after the last collection.");
        meter.CreateObservableGauge("packyard_gc_heaps", () => Convert.ToInt64(GC.GetConfigurationVariables().GetValueOrDefault("HeapCount", 1L), CultureInfo.InvariantCulture),
            description: "GC heaps (1 with workstation GC).");
        meter.CreateObservableGauge("process_threads", ThreadCount, description: "Threads of this process.");
    }

    public void Reconciled(string kind, string result, TimeSpan duration)
    {
        var tags = new TagList { { "kind", kind }, { "result", result } };
        reconciles.Add(1, tags);
        reconcileDuration.Record(duration.TotalSeconds, tags);
    }

    public void SyncFinished(string result, TimeSpan duration) => syncDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("result", result));

    public void Downloaded(long bytes) => downloaded.Add(bytes);

    public void Served(long bytes) => served.Add(bytes);

    public void TrackQueue(Func<int>? depth) => queueDepth = depth;

    public void Leading(bool leading) => Volatile.Write(ref leader, leading ? 1 : 0);

    /// <summary>Replaces the task counts (read from the database before each scrape).</summary>
    public void Tasks(IReadOnlyDictionary<string, long> byState) => tasks = byState;

    public void Dispose() => meter.Dispose();

    private static int ThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
}
