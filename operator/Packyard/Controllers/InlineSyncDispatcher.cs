using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Controllers;

/// <summary>
/// Runs a sync inside the reconcile that asks for it (standalone mode): progress goes to the caller's
/// <see cref="IProgress{T}"/>; the repository's advisory lock (<see cref="TaskTracker"/>) keeps it exclusive.
/// </summary>
public sealed class InlineSyncDispatcher(TaskTracker tasks, SyncExecutor executor) : ISyncDispatcher
{
    public Task<SyncReport?> TakeFinishedAsync(long repositoryId, CancellationToken cancellationToken) => Task.FromResult<SyncReport?>(null);

    public Task<IReadOnlyList<SyncTicket>> FindOpenAsync(long repositoryId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SyncTicket>>([]);

    public async Task<SyncDispatch> DispatchAsync(SyncJob job, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await using var task = await tasks.TryStartAsync("sync", job.Request.RepositoryId, cancellationToken);
        if (task is null)
        {
            return SyncDispatch.Busy(await tasks.DescribeRunningAsync(job.Request.RepositoryId, cancellationToken) ?? "a task");
        }

        var report = await executor.RunAsync(job.Request, job.Fingerprint, progress, cancellationToken);
        await task.CompleteAsync(report.Succeeded, report.Message);
        return SyncDispatch.Done(report with { Requested = job.Requested });
    }
}
