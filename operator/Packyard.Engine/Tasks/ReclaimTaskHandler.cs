using Packyard.Engine.Versions;

namespace Packyard.Engine.Tasks;

/// <summary>
/// Runs a reclaim task: orphan cleanup (<see cref="OrphanCleaner"/>). The task holds the reclaim lock exclusively
/// (<see cref="ReclaimLock"/>), so no sync, publish, promotion or upload runs meanwhile and nothing they use is deleted;
/// objects younger than <see cref="ReclaimOptions.Protection"/> are kept besides.
/// </summary>
public sealed class ReclaimTaskHandler(OrphanCleaner cleaner, ReclaimOptions options) : ITaskHandler
{
    public string Kind => TaskKinds.Reclaim;

    public async Task<TaskResult> RunAsync(ClaimedTask task, CancellationToken cancellationToken)
    {
        var result = await cleaner.CleanAsync(options.Protection, cancellationToken).ConfigureAwait(false);
        return TaskResult.Of(new ReclaimReport(result.ContentUnits, result.Artifacts, result.Bytes));
    }
}
