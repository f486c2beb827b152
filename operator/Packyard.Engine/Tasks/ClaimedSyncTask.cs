using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Packyard.Engine.Tasks;

/// <summary>
/// A sync task a worker claimed. It holds the repository's advisory lock on its own connection, which it also uses for
/// heartbeats, until completed (outcome stored, controller notified), released (queued again for another worker) or disposed.
/// Every write names this worker, so a task taken over by another worker is never overwritten by the one that lost it.
/// </summary>
public sealed class ClaimedSyncTask : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly string worker;

    internal ClaimedSyncTask(NpgsqlConnection connection, long id, long repositoryId, string worker, int attempts, string? previousWorker, SyncTaskArgs args)
    {
        this.connection = connection;
        this.worker = worker;
        Id = id;
        RepositoryId = repositoryId;
        Attempts = attempts;
        PreviousWorker = previousWorker;
        Args = args;
    }

    public long Id { get; }

    public long RepositoryId { get; }

    /// <summary>How often the task was claimed; more than one means it was taken over.</summary>
    public int Attempts { get; }

    /// <summary>The worker that ran it before and died, when this claim reclaimed a running task.</summary>
    public string? PreviousWorker { get; }

    public SyncTaskArgs Args { get; }

    /// <summary>Refreshes the heartbeat; false when the task is no longer this worker's (taken over or deleted with its repository).</summary>
    public async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("update tasks set heartbeat = now() where id = $1 and worker = $2 and state = 'running'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = worker });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Stores the outcome and notifies the controller. Not cancellable: the outcome of finished work must be recorded.</summary>
    public async Task CompleteAsync(SyncReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        await using var command = new NpgsqlCommand($"""
            with done as (
                update tasks set state = $2, finished = now(), heartbeat = now(), error = $3, result = $4, reported = false
                where id = $1 and worker = $5 and state = 'running' returning id)
            select pg_notify('{SyncTaskQueue.ChangedChannel}', $6) from done
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = report.Succeeded ? "succeeded" : "failed" });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)report.Message ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(report, TaskJsonContext.Default.SyncReport), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = worker });
        command.Parameters.Add(new NpgsqlParameter { Value = Args.Repository });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>
    /// Gives the task back (a worker shutting down): queued again for another worker, or canceled when a newer request is
    /// already queued for the repository. Not cancellable: it runs during shutdown.
    /// </summary>
    public async Task ReleaseAsync()
    {
        await using var command = new NpgsqlCommand($"""
            with released as (
                update tasks t set
                    state = case when exists (select 1 from tasks q where q.repository_id = t.repository_id and q.kind = t.kind and q.state = 'queued')
                        then 'canceled' else 'queued' end,
                    worker = null, heartbeat = null, started = null, reported = true,
                    error = 'released by worker ' || $2 || ' while stopping'
                where id = $1 and worker = $2 and state = 'running' returning id)
            select pg_notify('{SyncTaskQueue.QueuedChannel}', ''), pg_notify('{SyncTaskQueue.ChangedChannel}', $3) from released
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = worker });
        command.Parameters.Add(new NpgsqlParameter { Value = Args.Repository });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await RepositoryLock.ReleaseAndCloseAsync(connection);
}
