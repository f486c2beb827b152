using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Controllers;

/// <summary>
/// How the Repository reconciler's sync step gets a sync done: <see cref="QueuedSyncDispatcher"/> queues a task in PostgreSQL
/// for a worker (in this process or another, in both modes) and reports its outcome on a later reconcile.
/// </summary>
public interface ISyncDispatcher
{
    /// <summary>A sync that finished since the last reconcile and is not on status yet, marked reported; null when none.</summary>
    Task<SyncReport?> TakeFinishedAsync(long repositoryId, CancellationToken cancellationToken);

    /// <summary>The repository's queued and running syncs.</summary>
    Task<IReadOnlyList<SyncTicket>> FindOpenAsync(long repositoryId, CancellationToken cancellationToken);

    /// <summary>The repository's sync failures since its last success (for the backoff and the attempt limit); null when none.</summary>
    Task<SyncFailures?> GetFailuresAsync(long repositoryId, CancellationToken cancellationToken);

    /// <summary>Queues a sync for a worker (or updates the one queued); returns the queued task.</summary>
    Task<SyncTicket> QueueAsync(SyncJob job, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels the queued and running syncs of <paramref name="repository"/> (namespace/name) at once: its Repository is deleted
    /// or its sync settings changed.
    /// </summary>
    Task CancelAsync(string repository, string reason, CancellationToken cancellationToken);
}

/// <summary>
/// A sync the reconciler wants: the engine request, the settings fingerprint, the request annotation it answers, and the attempt
/// (everything the sync is made with) that failures are counted against.
/// </summary>
public sealed record SyncJob(SyncRequest Request, string Fingerprint, string? Requested, string? Attempt = null)
{
    /// <summary>Publish the version the sync creates in the same task, with these args (<see cref="SyncTaskArgs.Publish"/>); null: do not.</summary>
    public PublishTaskArgs? Publish { get; init; }
}
