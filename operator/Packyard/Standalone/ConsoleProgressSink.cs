using Packyard.Controllers;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Standalone;

/// <summary>Standalone mode's progress of the in-process worker's syncs: the console's progress lines, per Repository.</summary>
internal sealed class ConsoleProgressSink(ConsoleReporter reporter) : ITaskProgressSink
{
    public IProgress<SyncProgress>? For(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? reporter.SyncProgress(new ResourceKey(Runtime.KindNames.Repository, repository[..slash], repository[(slash + 1)..])) : null;
    }
}
