using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Packyard.Engine.Tasks;

/// <summary>
/// A task a worker claimed, of any kind. A repository's task (sync, publish, promote) holds that repository's advisory lock,
/// and the reclaim lock shared; a reclaim task holds the reclaim lock exclusively. The locks live on the task's own connection,
/// which it also uses for heartbeats, until completed (outcome stored, the resource in tasks.notify reconciled), released
/// (queued again for another worker) or disposed. Every write names this worker, so a task taken over by another worker is
/// never overwritten by the one that lost it.
/// </summary>
public sealed class ClaimedTask : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly string worker;

    internal ClaimedTask(NpgsqlConnection connection, long id, string kind, long? repositoryId, string worker, int attempts, string? previousWorker,
        string argsJson, string? notify)
    {
        this.connection = connection;
        this.worker = worker;
        Id = id;
        Kind = kind;
        RepositoryId = repositoryId;
        Attempts = attempts;
        PreviousWorker = previousWorker;
        ArgsJson = argsJson;
        Notify = notify;
    }

    public long Id { get; }

    /// <summary>One of <see cref="TaskKinds"/>.</summary>
    public string Kind { get; }

    /// <summary>The repository whose lock the task holds (a promotion's target); null for reclaim.</summary>
    public long? RepositoryId { get; }

    /// <summary>How often the task was claimed; more than one means it was taken over.</summary>
    public int Attempts { get; }

    /// <summary>The worker that ran it before and died, when this claim reclaimed a running task.</summary>
    public string? PreviousWorker { get; }

    /// <summary>The resource reconciled when the task changes, "Kind/namespace/name"; null for reclaim.</summary>
    public string? Notify { get; }

    internal string ArgsJson { get; }

    /// <summary>What the task works on, for logs: "sync of ns/name", "reclaim".</summary>
    public string Subject => Notify is { } notify ? $"{Kind} for {notify}" : Kind;

    public SyncTaskArgs SyncArgs => Parse(TaskJsonContext.Default.SyncTaskArgs);

    public PublishTaskArgs PublishArgs => Parse(TaskJsonContext.Default.PublishTaskArgs);

    public PromoteTaskArgs PromoteArgs => Parse(TaskJsonContext.Default.PromoteTaskArgs);

    /// <summary>Refreshes the heartbeat; false when the task is no longer this worker's (taken over, canceled or deleted with its repository).</summary>
    public async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("update tasks set heartbeat = now() where id = $1 and worker = $2 and state = 'running'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = worker });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Stores the outcome and notifies the controller. Not cancellable: the outcome of finished work must be recorded.</summary>
    public async Task CompleteAsync(TaskResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        await using var command = new NpgsqlCommand($"""
            with done as (
                update tasks set state = $2, finished = now(), heartbeat = now(), error = $3, result = $4, reported = false
                where id = $1 and worker = $5 and state = 'running' returning notify)
            select pg_notify('{TaskQueue.ChangedChannel}', notify) from done where notify is not null
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = result.Succeeded ? "succeeded" : "failed" });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)result.Message ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = result.Json, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = worker });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
        if (Kind == TaskKinds.Reclaim)
        {
            // Workers that skipped tasks while the reclaim held its lock look again now.
            await using var wake = new NpgsqlCommand($"select pg_notify('{TaskQueue.QueuedChannel}', '')", connection);
            await wake.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Gives the task back (a worker shutting down): queued again for another worker, or canceled when a newer request of the
    /// same kind and key is already queued. Not cancellable: it runs during shutdown.
    /// </summary>
    public async Task ReleaseAsync()
    {
        await using var command = new NpgsqlCommand($"""
            with released as (
                update tasks t set
                    state = case when exists (select 1 from tasks q where q.kind = t.kind and q.key = t.key and q.state = 'queued')
                        then 'canceled' else 'queued' end,
                    worker = null, heartbeat = null, started = null, reported = true,
                    error = 'released by worker ' || $2 || ' while stopping'
                where id = $1 and worker = $2 and state = 'running' returning notify)
            select pg_notify('{TaskQueue.QueuedChannel}', ''), pg_notify('{TaskQueue.ChangedChannel}', coalesce(notify, '')) from released
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = worker });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await RepositoryLock.ReleaseAndCloseAsync(connection);

    private T Parse<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(ArgsJson, type) ?? throw new InvalidDataException($"tasks.args of {Kind} task {Id} is empty");
}
