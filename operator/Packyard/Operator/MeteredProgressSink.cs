using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Operator;

/// <summary>Operator mode's progress of a worker's syncs: the downloaded-bytes metric.</summary>
internal sealed class MeteredProgressSink(OperatorMetrics metrics) : ITaskProgressSink
{
    public IProgress<SyncProgress>? For(string repository) => new DownloadMeter(metrics);
}
