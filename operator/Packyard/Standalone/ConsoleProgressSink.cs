using Packyard.Operator;
using Packyard.Controllers;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Standalone;

/// <summary>Standalone mode's progress of the in-process worker's syncs: the console's progress lines, per Repository, and the downloaded-bytes metric.</summary>
internal sealed class ConsoleProgressSink(ConsoleReporter reporter, OperatorMetrics metrics) : ITaskProgressSink
{
    public IProgress<SyncProgress>? For(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        var meter = new DownloadMeter(metrics);
        return slash > 0 && reporter.SyncProgress(new ResourceKey(Runtime.KindNames.Repository, repository[..slash], repository[(slash + 1)..])) is { } bar
            ? new Both(bar, meter)
            : meter;
    }

    /// <summary>The console's progress bar and the downloaded-bytes metric, both told every report.</summary>
    private sealed class Both(IProgress<SyncProgress> first, IProgress<SyncProgress> second) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value)
        {
            first.Report(value);
            second.Report(value);
        }
    }
}
