using Packyard.Engine.Sync;

namespace Packyard.Operator;

/// <summary>Turns a sync's cumulative downloaded bytes into increments of the downloaded-bytes counter.</summary>
internal sealed class DownloadMeter(OperatorMetrics metrics) : IProgress<SyncProgress>
{
    private long last;

    public void Report(SyncProgress value)
    {
        var delta = value.DownloadedBytes - Interlocked.Exchange(ref last, value.DownloadedBytes);
        if (delta > 0)
        {
            metrics.Downloaded(delta);
        }
    }
}
