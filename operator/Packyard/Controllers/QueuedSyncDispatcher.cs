using Packyard.Engine.Tasks;

namespace Packyard.Controllers;

/// <summary>
/// Queues a sync task in PostgreSQL for a worker (in this process or another, in both modes). The worker notifies the controller when it finishes, and
/// the next reconcile takes the outcome with <see cref="TakeFinishedAsync"/>.
/// </summary>
public sealed class QueuedSyncDispatcher(SyncTaskQueue queue) : ISyncDispatcher
{
    public Task<SyncReport?> TakeFinishedAsync(long repositoryId, CancellationToken cancellationToken) => queue.TakeFinishedAsync(repositoryId, cancellationToken);

    public Task<IReadOnlyList<SyncTicket>> FindOpenAsync(long repositoryId, CancellationToken cancellationToken) => queue.FindOpenAsync(repositoryId, cancellationToken);

    public Task<SyncFailures?> GetFailuresAsync(long repositoryId, CancellationToken cancellationToken) => queue.GetFailuresAsync(repositoryId, cancellationToken);

    public Task<SyncTicket> QueueAsync(SyncJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var request = job.Request;
        var args = new SyncTaskArgs(request.RepositoryName, request.RemoteId, request.Mode, job.Fingerprint, job.Requested) { Attempt = job.Attempt, Publish = job.Publish };
        return queue.EnqueueAsync(request.RepositoryId, args, cancellationToken);
    }

    public Task CancelAsync(string repository, string reason, CancellationToken cancellationToken) => queue.CancelAsync(repository, reason, cancellationToken);
}
