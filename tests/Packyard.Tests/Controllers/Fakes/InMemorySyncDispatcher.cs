using Packyard.Api.Conditions;
using Packyard.Controllers;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Tests.Controllers.Fakes;

/// <summary>
/// The sync port in memory, with SyncTaskQueue's rules: one queued sync per repository (queuing again updates its args), a
/// finished outcome taken once, failures counted since the last success as far as they share the newest one's attempt.
/// <see cref="Start"/>, <see cref="Succeed"/> and <see cref="Fail"/> play the worker, which records the fingerprint of a
/// successful sync in the catalog as the real worker does.
/// </summary>
internal sealed class InMemorySyncDispatcher(InMemoryCatalog catalog, TimeProvider time) : ISyncDispatcher
{
    private long nextId = 1;
    private readonly List<(long RepositoryId, SyncTicket Ticket)> open = [];
    private readonly Dictionary<long, SyncReport> finished = [];
    private readonly List<(long RepositoryId, long TaskId, SyncTaskArgs Args, SyncReport Report)> history = [];

    /// <summary>Every sync queued (or re-queued), in order.</summary>
    public List<SyncJob> Queued { get; } = [];

    /// <summary>Every cancellation asked for: the repository (namespace/name) and the reason.</summary>
    public List<(string Repository, string Reason)> Canceled { get; } = [];

    public Task<SyncReport?> TakeFinishedAsync(long repositoryId, CancellationToken cancellationToken) =>
        Task.FromResult(finished.Remove(repositoryId, out var report) ? report : null);

    public Task<IReadOnlyList<SyncTicket>> FindOpenAsync(long repositoryId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SyncTicket>>([.. open.Where(t => t.RepositoryId == repositoryId).Select(t => t.Ticket)]);

    public Task<SyncFailures?> GetFailuresAsync(long repositoryId, CancellationToken cancellationToken)
    {
        SyncFailures? failures = null;
        foreach (var (_, id, args, report) in history.Where(h => h.RepositoryId == repositoryId).Reverse())
        {
            if (report.Succeeded || (failures is not null && args.Attempt != failures.LastAttempt))
            {
                break;
            }

            var unexpected = report.Reason is null or Reasons.UnexpectedError ? 1 : 0;
            failures = failures is null
                ? new SyncFailures(1, unexpected, report.CompletionTime, args.Attempt, report.Reason ?? Reasons.UnexpectedError, report.Message ?? "", id)
                : failures with { Count = failures.Count + 1, Unexpected = failures.Unexpected + unexpected };
        }

        return Task.FromResult(failures);
    }

    public Task<SyncTicket> QueueAsync(SyncJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        Queued.Add(job);
        var args = new SyncTaskArgs(job.Request.RepositoryName, job.Request.RemoteId, job.Request.Mode, job.Fingerprint, job.Requested) { Attempt = job.Attempt };
        var index = open.FindIndex(t => t.RepositoryId == job.Request.RepositoryId && !t.Ticket.Running);
        if (index >= 0)
        {
            open[index] = open[index] with { Ticket = open[index].Ticket with { Args = args } };
            return Task.FromResult(open[index].Ticket);
        }

        var ticket = new SyncTicket(nextId++, false, null, time.GetUtcNow(), args);
        open.Add((job.Request.RepositoryId, ticket));
        return Task.FromResult(ticket);
    }

    public Task CancelAsync(string repository, string reason, CancellationToken cancellationToken)
    {
        Canceled.Add((repository, reason));
        open.RemoveAll(t => t.Ticket.Args.Repository == repository);
        return Task.CompletedTask;
    }

    /// <summary>A worker claims the repository's queued sync.</summary>
    public void Start(long repositoryId)
    {
        var index = open.FindIndex(t => t.RepositoryId == repositoryId && !t.Ticket.Running);
        open[index] = open[index] with { Ticket = open[index].Ticket with { Running = true, Worker = "worker-1", Since = time.GetUtcNow() } };
    }

    /// <summary>
    /// A worker finishes the repository's open sync: a new version with <paramref name="added"/> units when any, else no change;
    /// the sync's fingerprint and start are recorded, as SyncTaskHandler does.
    /// </summary>
    public SyncOutcome Succeed(long repositoryId, long added = 0, long removed = 0)
    {
        var (ticket, started) = Take(repositoryId);
        var repository = catalog.Repositories.Values.Single(r => r.Id == repositoryId);
        var created = added > 0 || removed > 0;
        var version = created ? repository.AddVersion(time.GetUtcNow(), added, removed) : repository.Versions[0];
        var outcome = new SyncOutcome(version.Number, created, added, removed, version.ContentCount, version.ContentCount, added);
        repository.SyncFingerprint = ticket.Args.Fingerprint;
        repository.LastSyncStarted = started;
        Finished(repositoryId, ticket, SyncReport.Success(started, time.GetUtcNow(), outcome) with { Requested = ticket.Args.Requested });
        return outcome;
    }

    /// <summary>A worker's sync of the repository fails with <paramref name="reason"/> (null: it ended without a result).</summary>
    public void Fail(long repositoryId, string? reason, string message)
    {
        var (ticket, started) = Take(repositoryId);
        Finished(repositoryId, ticket, new SyncReport(false, started, time.GetUtcNow(), null, reason, message) { Requested = ticket.Args.Requested });
    }

    private (SyncTicket Ticket, DateTimeOffset Started) Take(long repositoryId)
    {
        var index = open.FindIndex(t => t.RepositoryId == repositoryId);
        var ticket = open[index].Ticket;
        open.RemoveAt(index);
        return (ticket, ticket.Running ? ticket.Since : time.GetUtcNow());
    }

    private void Finished(long repositoryId, SyncTicket ticket, SyncReport report)
    {
        finished[repositoryId] = report;
        history.Add((repositoryId, ticket.Id, ticket.Args, report));
    }
}
