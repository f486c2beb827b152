using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Packyard.Engine.Tasks;

/// <summary>
/// The sync task queue in the tasks table. The controller enqueues (at most one queued sync per repository: a new request
/// updates the queued row), reads open tasks for status, and takes finished outcomes to report them. Workers claim with
/// <c>FOR UPDATE SKIP LOCKED</c> plus the repository's advisory lock (the lock <see cref="TaskTracker"/> uses too), so one
/// task per repository runs at a time across every process. A running task whose worker died is reclaimed: its lock went
/// with its connection; a worker that hangs with its connection open but stops heartbeating has its backend terminated.
/// </summary>
public sealed class SyncTaskQueue(NpgsqlDataSource dataSource)
{
    /// <summary>Channel a worker notifies when it claims, finishes or releases a task (payload: the repository's namespace/name).</summary>
    public const string ChangedChannel = "packyard_task_changed";

    /// <summary>Channel the controller notifies when a task was queued or released.</summary>
    public const string QueuedChannel = "packyard_task_queued";

    /// <summary>Channel the controller notifies when it cancels running syncs (payload: the task id).</summary>
    public const string CancelChannel = "packyard_task_cancel";

    private const string Kind = "sync";

    /// <summary>Failed syncs considered for the backoff and the attempt limit; more change neither.</summary>
    private const int FailureWindow = 64;

    /// <summary>Queues a sync, or updates the args of the one already queued; returns the queued task.</summary>
    public async Task<SyncTicket> EnqueueAsync(long repositoryId, SyncTaskArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        await using var command = dataSource.CreateCommand($"""
            with queued as (
                insert into tasks (kind, repository_id, args, state) values ('{Kind}', $1, $2, 'queued')
                on conflict (repository_id, kind) where state = 'queued' do update set args = excluded.args
                returning id, created)
            select id, created, pg_notify('{QueuedChannel}', '') from queued
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(args, TaskJsonContext.Default.SyncTaskArgs), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new SyncTicket(reader.GetInt64(0), false, null, reader.GetFieldValue<DateTimeOffset>(1), args);
    }

    /// <summary>The repository's queued and running sync tasks, oldest first.</summary>
    public async Task<IReadOnlyList<SyncTicket>> FindOpenAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select id, state = 'running', worker, coalesce(started, created), args::text from tasks
            where repository_id = $1 and kind = '{Kind}' and state in ('queued', 'running') order by id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tickets = new List<SyncTicket>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tickets.Add(new SyncTicket(reader.GetInt64(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), ParseArgs(reader.GetString(4))));
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
    /// Claims the oldest sync this worker may run: a running task whose worker is gone (reclaimed) before queued ones. The
    /// returned task holds the repository's advisory lock on its own connection until it is completed, released or disposed.
    /// A running task whose heartbeat is older than <paramref name="staleAfter"/> while its lock is still held belongs to a
    /// hung worker: its backend is terminated, which frees the lock for the next claim. A task whose workers died
    /// <paramref name="maxAttempts"/> times (a poison task that kills every process running it) is failed instead of claimed again.
    /// </summary>
    public async Task<ClaimedSyncTask?> ClaimAsync(string worker, TimeSpan staleAfter, CancellationToken cancellationToken, int maxAttempts = int.MaxValue)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var candidates = new List<(long Id, long RepositoryId, bool Running, string? Worker, bool Stale, string Args, int Attempts)>();
            await using (var select = new NpgsqlCommand($"""
                select id, repository_id, state = 'running', worker, coalesce(heartbeat < now() - $1, true), args::text, attempts from tasks
                where kind = '{Kind}' and state in ('queued', 'running') and repository_id is not null
                order by state = 'running' desc, id
                limit 64
                for update skip locked
                """, connection, transaction))
            {
                select.Parameters.Add(new NpgsqlParameter { Value = staleAfter });
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    candidates.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.GetBoolean(4), reader.GetString(5), reader.GetInt32(6)));
                }
            }

            var busy = new HashSet<long>();
            foreach (var candidate in candidates)
            {
                if (busy.Contains(candidate.RepositoryId))
                {
                    continue;
                }

                if (!await RepositoryLock.TryAcquireAsync(connection, candidate.RepositoryId, cancellationToken))
                {
                    busy.Add(candidate.RepositoryId);
                    if (candidate.Running && candidate.Stale)
                    {
                        await RepositoryLock.TerminateHolderAsync(connection, candidate.RepositoryId, cancellationToken);
                    }

                    continue;
                }

                if (candidate.Running && candidate.Attempts >= maxAttempts)
                {
                    await GiveUpAsync(connection, transaction, candidate.Id, candidate.Attempts, candidate.Worker, ParseArgs(candidate.Args), cancellationToken);
                    await RepositoryLock.ReleaseAllAsync(connection);
                    continue;
                }

                if (!candidate.Running)
                {
                    // We hold the lock, so a row still running for this repository was left by a worker that died; this newer
                    // request supersedes it.
                    await using var supersede = new NpgsqlCommand("""
                        update tasks set state = 'canceled', finished = now(), reported = true,
                            error = 'worker ' || coalesce(worker, '?') || ' stopped before finishing; superseded by task ' || $2
                        where repository_id = $1 and state = 'running'
                        """, connection, transaction);
                    supersede.Parameters.Add(new NpgsqlParameter { Value = candidate.RepositoryId });
                    supersede.Parameters.Add(new NpgsqlParameter { Value = candidate.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    await supersede.ExecuteNonQueryAsync(cancellationToken);
                }

                await using var claim = new NpgsqlCommand("""
                    update tasks set state = 'running', worker = $2, heartbeat = now(), started = now(), attempts = attempts + 1
                    where id = $1 returning attempts
                    """, connection, transaction);
                claim.Parameters.Add(new NpgsqlParameter { Value = candidate.Id });
                claim.Parameters.Add(new NpgsqlParameter { Value = worker });
                var attempts = (int)(await claim.ExecuteScalarAsync(cancellationToken))!;
                var args = ParseArgs(candidate.Args);
                // Delivered at commit: the controller shows "sync running on worker W" without waiting for its poll.
                await using (var notify = new NpgsqlCommand($"select pg_notify('{ChangedChannel}', $1)", connection, transaction))
                {
                    notify.Parameters.Add(new NpgsqlParameter { Value = args.Repository });
                    await notify.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                return new ClaimedSyncTask(connection, candidate.Id, candidate.RepositoryId, worker, attempts,
                    candidate.Running ? candidate.Worker : null, args);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            await RepositoryLock.ReleaseAndCloseAsync(connection);
            throw;
        }

        await RepositoryLock.ReleaseAndCloseAsync(connection);
        return null;
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
            select count(*), count(pg_notify('{CancelChannel}', id::text)) from canceled
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

    /// <summary>Fails a task whose workers died <paramref name="attempts"/> times, so no further worker runs it.</summary>
    private static async Task GiveUpAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long id, int attempts, string? worker, SyncTaskArgs args, CancellationToken cancellationToken)
    {
        var message = $"the sync was given up after {attempts} attempts: the process running it (last: worker {worker ?? "?"}) stopped each time before finishing";
        var now = DateTimeOffset.UtcNow;
        var report = SyncReport.Failure(now, now, Api.Conditions.Reasons.UnexpectedError, message);
        await using var command = new NpgsqlCommand($"""
            with failed as (update tasks set state = 'failed', finished = now(), error = $2, result = $3, reported = false where id = $1 returning id)
            select pg_notify('{ChangedChannel}', $4) from failed
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = message });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(report, TaskJsonContext.Default.SyncReport), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = args.Repository });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SyncTaskArgs ParseArgs(string json) =>
        JsonSerializer.Deserialize(json, TaskJsonContext.Default.SyncTaskArgs) ?? throw new InvalidDataException("tasks.args of a sync task is empty");
}
