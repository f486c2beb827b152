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

    private const string Kind = "sync";

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
    /// hung worker: its backend is terminated, which frees the lock for the next claim.
    /// </summary>
    public async Task<ClaimedSyncTask?> ClaimAsync(string worker, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var candidates = new List<(long Id, long RepositoryId, bool Running, string? Worker, bool Stale, string Args)>();
            await using (var select = new NpgsqlCommand($"""
                select id, repository_id, state = 'running', worker, coalesce(heartbeat < now() - $1, true), args::text from tasks
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
                        reader.GetBoolean(4), reader.GetString(5)));
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

    private static SyncTaskArgs ParseArgs(string json) =>
        JsonSerializer.Deserialize(json, TaskJsonContext.Default.SyncTaskArgs) ?? throw new InvalidDataException("tasks.args of a sync task is empty");
}
