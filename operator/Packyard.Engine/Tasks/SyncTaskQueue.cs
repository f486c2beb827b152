using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Packyard.Engine.Tasks;

/// <summary>
/// The sync side of the task queue (<see cref="TaskQueue"/>, which workers claim from): the controller enqueues (at most one
/// queued sync per repository: a new request updates the queued row), reads open syncs for status, takes finished outcomes
/// to report them, reads the failures since the last success for the backoff, and cancels running syncs.
/// </summary>
public sealed class SyncTaskQueue(NpgsqlDataSource dataSource)
{
    private const string Kind = "sync";

    /// <summary>Failed syncs considered for the backoff and the attempt limit; more change neither.</summary>
    private const int FailureWindow = 64;

    /// <summary>Queues a sync, or updates the args of the one already queued; returns the queued task.</summary>
    public async Task<SyncTicket> EnqueueAsync(long repositoryId, SyncTaskArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        await using var command = dataSource.CreateCommand($"""
            with queued as (
                insert into tasks (kind, repository_id, key, notify, args, state) values ('{Kind}', $1, $1::text, 'Repository/' || $3, $2, 'queued')
                on conflict (kind, key) where state = 'queued' do update set args = excluded.args, notify = excluded.notify
                returning id, created)
            select id, created, pg_notify('{TaskQueue.QueuedChannel}', '') from queued
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(args, TaskJsonContext.Default.SyncTaskArgs), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = args.Repository });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SyncTicket(reader.GetInt64(0), false, null, reader.GetFieldValue<DateTimeOffset>(1), args);
    }

    /// <summary>The repository's queued and running sync tasks, oldest first.</summary>
    public async Task<IReadOnlyList<SyncTicket>> FindOpenAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select id, state = 'running', worker, coalesce(started, created), args::text, progress::text from tasks
            where repository_id = $1 and kind = '{Kind}' and state in ('queued', 'running') order by id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tickets = new List<SyncTicket>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tickets.Add(new SyncTicket(reader.GetInt64(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), ParseArgs(reader.GetString(4)))
            {
                Progress = reader.IsDBNull(5) ? null : JsonSerializer.Deserialize(reader.GetString(5), TaskJsonContext.Default.TaskProgress),
            });
        }

        return tickets;
    }

    /// <summary>
    /// The newest finished sync not reported yet, marked reported (with any older ones) in the same statement, so each outcome
    /// is reported once even across a change of leader. Null when there is none.
    /// </summary>
    public async Task<SyncReport?> TakeFinishedAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            update tasks set reported = true
            where repository_id = $1 and kind = '{Kind}' and not reported and state in ('succeeded', 'failed')
            returning id, state, coalesce(started, created), coalesce(finished, now()), error, result::text, args::text
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        (long Id, SyncReport Report)? newest = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (newest is { } n && n.Id > id)
            {
                continue;
            }

            var args = ParseArgs(reader.GetString(6));
            var report = reader.IsDBNull(5) ? null : JsonSerializer.Deserialize(reader.GetString(5), TaskJsonContext.Default.SyncReport);
            report ??= SyncReport.Failure(reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3), "SyncFailed",
                reader.IsDBNull(4) ? "the task ended without a result" : reader.GetString(4));
            newest = (id, report with { Requested = args.Requested });
        }

        return newest?.Report;
    }

    /// <summary>
    /// Cancels the repository's queued and running syncs at once (the Repository is deleted, or its sync settings changed): the
    /// rows become canceled and the workers running them are notified, so they stop within moments instead of at their next
    /// heartbeat. <paramref name="repository"/> is namespace/name. Returns how many were cancelled.
    /// </summary>
    public async Task<int> CancelAsync(string repository, string reason, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            with canceled as (
                update tasks set state = 'canceled', finished = now(), reported = true, error = $2
                where kind = '{Kind}' and state in ('queued', 'running') and args->>'repository' = $1
                returning id, repository_id)
            select count(*), count(pg_notify('{TaskQueue.CancelChannel}', id::text)) from canceled
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repository });
        command.Parameters.Add(new NpgsqlParameter { Value = reason });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The repository's sync failures since its last success (tasks queued for workers and inline syncs alike), as far as they
    /// share the newest failure's attempt; null when the newest finished sync succeeded or there was none.
    /// </summary>
    public async Task<SyncFailures?> GetFailuresAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select id, state, finished, args->>'attempt', result->>'reason', coalesce(result->>'message', error), attempts from tasks
            where repository_id = $1 and kind = '{Kind}' and state in ('succeeded', 'failed')
            order by id desc limit {FailureWindow}
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        SyncFailures? failures = null;
        while (await reader.ReadAsync(cancellationToken) && reader.GetString(1) == "failed")
        {
            var attempt = reader.IsDBNull(3) ? null : reader.GetString(3);
            var reason = reader.IsDBNull(4) ? null : reader.GetString(4);
            // No result of its own: the process running it died, or the task was given up after too many attempts.
            var unexpected = reason is null or Api.Conditions.Reasons.UnexpectedError ? Math.Max(1, reader.GetInt32(6)) : 0;
            if (failures is null)
            {
                failures = new SyncFailures(1, unexpected, reader.IsDBNull(2) ? DateTimeOffset.UtcNow : reader.GetFieldValue<DateTimeOffset>(2), attempt,
                    reason ?? Api.Conditions.Reasons.UnexpectedError, reader.IsDBNull(5) ? "the sync ended without a result" : reader.GetString(5), reader.GetInt64(0));
            }
            else if (attempt == failures.LastAttempt)
            {
                failures = failures with { Count = failures.Count + 1, Unexpected = failures.Unexpected + unexpected };
            }
            else
            {
                break;
            }
        }

        return failures;
    }

    private static SyncTaskArgs ParseArgs(string json) =>
        JsonSerializer.Deserialize(json, TaskJsonContext.Default.SyncTaskArgs) ?? throw new InvalidDataException("tasks.args of a sync task is empty");
}
