using Packyard.Engine.Sync;

namespace Packyard.Engine.Tasks;

/// <summary>
/// Where a worker reports a running sync's progress: the console's progress lines in standalone mode, the downloaded-bytes
/// metric in operator mode.
/// </summary>
public interface ITaskProgressSink
{
    /// <summary>The progress of a sync of <paramref name="repository"/> (namespace/name); null when nothing listens.</summary>
    IProgress<SyncProgress>? For(string repository);
}
