using System.Collections.Concurrent;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Controllers;

/// <summary>
/// Runs a sync inside the reconcile that asks for it (standalone mode): progress goes to the caller's
/// <see cref="IProgress{T}"/>; the repository's advisory lock (<see cref="TaskTracker"/>) keeps it exclusive. The sync is
/// recorded as a task row like a worker's, so the backoff and the attempt limit read the same history in both modes, and
/// <see cref="CancelAsync"/> stops it at once.
/// </summary>
public sealed class InlineSyncDispatcher(TaskTracker tasks, SyncExecutor executor, SyncTaskQueue history) : ISyncDispatcher
{
    private readonly ConcurrentDictionary<string, Running> running = new(StringComparer.Ordinal);

    public Task<SyncReport?> TakeFinishedAsync(long repositoryId, CancellationToken cancellationToken) => Task.FromResult<SyncReport?>(null);

    public Task<IReadOnlyList<SyncTicket>> FindOpenAsync(long repositoryId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SyncTicket>>([]);

    public Task<SyncFailures?> GetFailuresAsync(long repositoryId, CancellationToken cancellationToken) => history.GetFailuresAsync(repositoryId, cancellationToken);

    public async Task<SyncDispatch> DispatchAsync(SyncJob job, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = job.Request;
        var args = new SyncTaskArgs(request.RepositoryName, request.RemoteId, request.Mode, job.Fingerprint, job.Requested) { Attempt = job.Attempt };
        await using var task = await tasks.TryStartAsync("sync", request.RepositoryId, cancellationToken, args);
        if (task is null)
        {
            return SyncDispatch.Busy(await tasks.DescribeRunningAsync(request.RepositoryId, cancellationToken) ?? "a task");
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var entry = new Running(run);
        running[request.RepositoryName] = entry;
        try
        {
            var report = await executor.RunAsync(request, job.Fingerprint, progress, run.Token);
            await task.CompleteAsync(report);
            return SyncDispatch.Done(report with { Requested = job.Requested });
        }
        catch (OperationCanceledException) when (entry.Reason is { } reason && !cancellationToken.IsCancellationRequested)
        {
            await task.CancelAsync(reason);
            return SyncDispatch.Cancel(reason);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Packyard stops: an interrupted sync is no failure (it must not count towards the backoff or the attempt limit).
            await task.CancelAsync("interrupted: Packyard stopped");
            throw;
        }
        finally
        {
            running.TryRemove(new KeyValuePair<string, Running>(request.RepositoryName, entry));
        }
    }

    public Task CancelAsync(string repository, string reason, CancellationToken cancellationToken)
    {
        if (running.TryGetValue(repository, out var entry))
        {
            entry.Reason = reason;
            try
            {
                entry.Source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It ended meanwhile.
            }
        }

        return Task.CompletedTask;
    }

    private sealed class Running(CancellationTokenSource source)
    {
        public CancellationTokenSource Source { get; } = source;

        public string? Reason { get; set; }
    }
}
