using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace Packyard.Engine.Tasks;

/// <summary>
/// The task queue in the tasks table, for every kind of engine work (<see cref="TaskKinds"/>). Controllers enqueue (at most one
/// queued task per kind and key: a new request updates the queued row), read open tasks for status, and take finished outcomes
/// to report them once. Workers claim through one path, <see cref="ClaimAsync"/>: <c>FOR UPDATE SKIP LOCKED</c> plus the
/// repository's advisory lock (a promotion's target), so one task per repository runs at a time across every process, plus the
/// reclaim lock (<see cref="ReclaimLock"/>), shared by repository tasks and exclusive for reclaim. A running task whose worker
/// died is reclaimed: its lock went with its connection; a worker that hangs with its connection open but stops heartbeating
/// has its backend terminated.
/// </summary>
public sealed class TaskQueue(NpgsqlDataSource dataSource, ReclaimOptions? reclaim = null) : IPublishTasks, IPromoteTasks
{
    /// <summary>
    /// How long a queued reclaim waits for a moment when no repository task runs before workers stop starting new ones for it
    /// (writer preference, see <see cref="ClaimAsync"/>): one <c>--orphan-cleanup-interval</c>. So under any stream of tasks a
    /// reclaim runs within about two intervals plus the longest task, while a reclaim that finds a gap by itself (the usual
    /// case) never holds anything up.
    /// </summary>
    private readonly TimeSpan reclaimFirstAfter = (reclaim ?? new ReclaimOptions()).Interval;

    /// <summary>Channel a worker notifies when it claims, finishes or releases a task (payload: tasks.notify, "Kind/namespace/name").</summary>
    public const string ChangedChannel = "packyard_task_changed";

    /// <summary>Channel notified when a task was queued or released, or a reclaim ended (workers look for work).</summary>
    public const string QueuedChannel = "packyard_task_queued";

    /// <summary>Channel the controller notifies when it cancels running tasks (payload: the task id).</summary>
    public const string CancelChannel = "packyard_task_cancel";

    /// <summary>Queues a task, or updates the args of the one of the same kind and key already queued; returns it.</summary>
    public async Task<TaskTicket> EnqueueAsync<T>(string kind, long? repositoryId, string key, string? notify, T args, JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            with queued as (
                insert into tasks (kind, repository_id, key, notify, args, state) values ($1, $2, $3, $4, $5, 'queued')
                on conflict (kind, key) where state = 'queued' do update set args = excluded.args, notify = excluded.notify, repository_id = excluded.repository_id
                returning id, created)
            select id, created, pg_notify('{QueuedChannel}', '') from queued
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)repositoryId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)notify ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(args, type), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new TaskTicket(reader.GetInt64(0), kind, false, null, reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>Queues a publish of <paramref name="args"/>' version; <paramref name="notify"/> is reconciled when it changes.</summary>
    public Task<TaskTicket> EnqueuePublishAsync(long repositoryId, PublishTaskArgs args, string notify, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        return EnqueueAsync(TaskKinds.Publish, repositoryId, PublishKey(repositoryId, args.Version), notify, args, TaskJsonContext.Default.PublishTaskArgs,
            cancellationToken);
    }

    /// <summary>Queues a promotion into <paramref name="targetId"/> (whose lock the task takes), keyed by the Promotion.</summary>
    public Task<TaskTicket> EnqueuePromoteAsync(long targetId, PromoteTaskArgs args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        return EnqueueAsync(TaskKinds.Promote, targetId, args.Promotion, $"Promotion/{args.Promotion}", args, TaskJsonContext.Default.PromoteTaskArgs,
            cancellationToken);
    }

    /// <summary>The key of a publish task: the repository and version.</summary>
    public static string PublishKey(long repositoryId, long version) => string.Create(CultureInfo.InvariantCulture, $"{repositoryId}@{version}");

    /// <summary>The queued and running tasks of a kind and key, oldest first.</summary>
    public async Task<IReadOnlyList<TaskTicket>> FindOpenAsync(string kind, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, state = 'running', worker, coalesce(started, created) from tasks
            where kind = $1 and key = $2 and state in ('queued', 'running') order by id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tickets = new List<TaskTicket>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tickets.Add(new TaskTicket(reader.GetInt64(0), kind, reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return tickets;
    }

    /// <summary>The newest finished publish of the version not reported yet, marked reported; null when none.</summary>
    public async Task<PublishReport?> TakeFinishedPublishAsync(long repositoryId, long version, CancellationToken cancellationToken) =>
        await TakeFinishedAsync(TaskKinds.Publish, PublishKey(repositoryId, version), TaskJsonContext.Default.PublishReport, cancellationToken) is { } taken
            ? taken.Report ?? new PublishReport(false, version, Api.Conditions.Reasons.PublishFailed, taken.Error ?? "the publish ended without a result")
            : null;

    /// <summary>
    /// The newest finished promotion of the Promotion (namespace/name) not reported yet, with the args it ran with, marked
    /// reported; null when none.
    /// </summary>
    public async Task<(PromoteTaskArgs Args, PromoteReport Report)?> TakeFinishedPromoteAsync(string promotion, CancellationToken cancellationToken)
    {
        if (await TakeFinishedAsync(TaskKinds.Promote, promotion, TaskJsonContext.Default.PromoteReport, cancellationToken) is not { } taken)
        {
            return null;
        }

        var report = taken.Report ?? new PromoteReport(false, Api.Conditions.Reasons.PromotionFailed, taken.Error ?? "the promotion ended without a result", 0, 0, false, 0, 0);
        return (Parse(taken.Args, TaskJsonContext.Default.PromoteTaskArgs), report);
    }

    /// <summary>The newest successful promotion of the Promotion, with the args it ran with; null when none.</summary>
    public async Task<(PromoteTaskArgs Args, PromoteReport Report)?> FindLastPromotedAsync(string promotion, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            select args::text, result::text from tasks where kind = '{TaskKinds.Promote}' and key = $1 and state = 'succeeded' and result is not null
            order by id desc limit 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = promotion });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return (Parse(reader.GetString(0), TaskJsonContext.Default.PromoteTaskArgs), Parse(reader.GetString(1), TaskJsonContext.Default.PromoteReport));
    }

    /// <summary>
    /// Queues a reclaim task unless one is open or the last one started (or, never started, was queued) within
    /// <paramref name="interval"/>: at most one per interval, measured from when it ran, across replicas and restarts (the
    /// tasks table is the only memory). Several processes may call it at once: the unique index on queued tasks keeps one.
    /// Returns whether this call queued it.
    /// </summary>
    public async Task<bool> ScheduleReclaimAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            with queued as (
                insert into tasks (kind, key, state)
                select '{TaskKinds.Reclaim}', '', 'queued'
                where not exists (select 1 from tasks where kind = '{TaskKinds.Reclaim}' and (state in ('queued', 'running') or coalesce(started, created) > now() - $1))
                on conflict (kind, key) where state = 'queued' do nothing
                returning id)
            select count(pg_notify('{QueuedChannel}', '')) from queued
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = interval });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    /// <summary>
    /// Claims the oldest task this worker may run: a running task whose worker is gone (reclaimed) before queued ones. The
    /// returned task holds its locks on its own connection until it is completed, released or disposed. A running task whose
    /// heartbeat is older than <paramref name="staleAfter"/> while its lock is still held belongs to a hung worker: its backend
    /// is terminated, which frees the lock for the next claim. A task whose workers died <paramref name="maxAttempts"/> times
    /// (a poison task that kills every process running it) is failed instead of claimed again. While a reclaim runs no other
    /// task is claimed, and a reclaim waits until no other task runs. A reclaim that has waited longer than one
    /// <c>--orphan-cleanup-interval</c> (<see cref="ReclaimOptions.Interval"/>) goes first: no repository task (sync, publish,
    /// promote; queued, or a dead worker's to take over) is claimed until it has run, so a steady stream of them cannot starve
    /// it; running tasks finish normally (a hung one is still terminated), and the last to end lets the reclaim in. Uploads are
    /// not held back: each holds the reclaim lock shared only for its own short transaction, and a client waiting behind a
    /// reclaim could time out (so the reclaim, and the repository tasks behind it, wait for a moment between uploads).
    /// </summary>
    public async Task<ClaimedTask?> ClaimAsync(string worker, TimeSpan staleAfter, CancellationToken cancellationToken, int maxAttempts = int.MaxValue)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            bool reclaimFirst;
            await using (var starved = new NpgsqlCommand($"""
                select exists (select 1 from tasks where kind = '{TaskKinds.Reclaim}' and state = 'queued' and created < now() - $1)
                """, connection, transaction))
            {
                starved.Parameters.Add(new NpgsqlParameter { Value = reclaimFirstAfter });
                reclaimFirst = await starved.ExecuteScalarAsync(cancellationToken) is true;
            }

            var candidates = new List<Candidate>();
            await using (var select = new NpgsqlCommand("""
                select id, kind, repository_id, state = 'running', worker, coalesce(heartbeat < now() - $1, true), args::text, attempts, notify from tasks
                where state in ('queued', 'running') and (repository_id is not null or kind = 'reclaim')
                order by state = 'running' desc, id
                limit 64
                for update skip locked
                """, connection, transaction))
            {
                select.Parameters.Add(new NpgsqlParameter { Value = staleAfter });
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    candidates.Add(new Candidate(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetBoolean(3),
                        reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetBoolean(5), reader.GetString(6), reader.GetInt32(7),
                        reader.IsDBNull(8) ? null : reader.GetString(8)));
                }
            }

            var busy = new HashSet<long>();
            var reclaimBusy = false;
            foreach (var candidate in candidates)
            {
                if (reclaimFirst && candidate.RepositoryId is { } repositoryId)
                {
                    // Writer preference: the starved reclaim goes before any new repository task. A hung worker's task still has
                    // its backend terminated, or its shared lock would keep the reclaim out for good.
                    if (candidate.Running && candidate.Stale)
                    {
                        await RepositoryLock.TerminateHolderAsync(connection, RepositoryLock.LockClass, repositoryId, exclusiveOnly: false, cancellationToken);
                    }

                    continue;
                }

                var (locked, reclaimHeld) = await TryLockAsync(connection, candidate, busy, reclaimBusy, cancellationToken);
                reclaimBusy |= reclaimHeld;
                if (!locked)
                {
                    continue;
                }

                if (candidate.Running && candidate.Attempts >= maxAttempts)
                {
                    await GiveUpAsync(connection, transaction, candidate, cancellationToken);
                    await RepositoryLock.ReleaseAllAsync(connection);
                    continue;
                }

                if (!candidate.Running)
                {
                    // We hold the lock, so a row still running for this repository (or a running reclaim) was left by a worker that
                    // died; this newer request supersedes it.
                    await using var supersede = new NpgsqlCommand("""
                        update tasks set state = 'canceled', finished = now(), reported = true,
                            error = 'worker ' || coalesce(worker, '?') || ' stopped before finishing; superseded by task ' || $2
                        where state = 'running' and (repository_id = $1 or ($1 is null and kind = 'reclaim'))
                        """, connection, transaction);
                    supersede.Parameters.Add(new NpgsqlParameter { Value = (object?)candidate.RepositoryId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                    supersede.Parameters.Add(new NpgsqlParameter { Value = candidate.Id.ToString(CultureInfo.InvariantCulture) });
                    await supersede.ExecuteNonQueryAsync(cancellationToken);
                }

                await using var claim = new NpgsqlCommand("""
                    update tasks set state = 'running', worker = $2, heartbeat = now(), started = now(), attempts = attempts + 1
                    where id = $1 returning attempts
                    """, connection, transaction);
                claim.Parameters.Add(new NpgsqlParameter { Value = candidate.Id });
                claim.Parameters.Add(new NpgsqlParameter { Value = worker });
                var attempts = (int)(await claim.ExecuteScalarAsync(cancellationToken))!;
                if (candidate.Notify is { } notify)
                {
                    // Delivered at commit: the controller shows "sync running on worker W" without waiting for its poll.
                    await using var changed = new NpgsqlCommand($"select pg_notify('{ChangedChannel}', $1)", connection, transaction);
                    changed.Parameters.Add(new NpgsqlParameter { Value = notify });
                    await changed.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                return new ClaimedTask(connection, candidate.Id, candidate.Kind, candidate.RepositoryId, worker, attempts,
                    candidate.Running ? candidate.Worker : null, candidate.Args, candidate.Notify);
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
    /// Takes the candidate's locks on the claim connection: a repository task its repository's lock and the reclaim lock shared,
    /// a reclaim the reclaim lock exclusively. On failure holds none, and terminates the holder of a stale running task's lock.
    /// </summary>
    private static async Task<(bool Locked, bool ReclaimHeld)> TryLockAsync(
        NpgsqlConnection connection, Candidate candidate, HashSet<long> busy, bool reclaimBusy, CancellationToken cancellationToken)
    {
        if (candidate.RepositoryId is not { } repositoryId)
        {
            if (await ReclaimLock.TryAcquireExclusiveAsync(connection, cancellationToken))
            {
                return (true, false);
            }

            if (candidate.Running && candidate.Stale)
            {
                await RepositoryLock.TerminateHolderAsync(connection, ReclaimLock.LockClass, 0, exclusiveOnly: true, cancellationToken);
            }

            return (false, false);
        }

        if (reclaimBusy || busy.Contains(repositoryId))
        {
            return (false, false);
        }

        if (!await RepositoryLock.TryAcquireAsync(connection, repositoryId, cancellationToken))
        {
            busy.Add(repositoryId);
            if (candidate.Running && candidate.Stale)
            {
                await RepositoryLock.TerminateHolderAsync(connection, RepositoryLock.LockClass, repositoryId, exclusiveOnly: false, cancellationToken);
            }

            return (false, false);
        }

        if (!await ReclaimLock.TryAcquireSharedAsync(connection, cancellationToken))
        {
            // A reclaim runs: no repository task starts until it ends (its completion wakes the workers).
            await RepositoryLock.ReleaseAllAsync(connection);
            return (false, true);
        }

        return (true, false);
    }

    /// <summary>Fails a task whose workers died <see cref="Candidate.Attempts"/> times, so no further worker runs it.</summary>
    private static async Task GiveUpAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Candidate candidate, CancellationToken cancellationToken)
    {
        var message = $"the {candidate.Kind} was given up after {candidate.Attempts} attempts: the process running it (last: worker {candidate.Worker ?? "?"}) stopped each time before finishing";
        var result = TaskResult.Failure(Api.Conditions.Reasons.UnexpectedError, message, DateTimeOffset.UtcNow);
        await using var command = new NpgsqlCommand($"""
            with failed as (update tasks set state = 'failed', finished = now(), error = $2, result = $3, reported = false where id = $1 returning notify)
            select pg_notify('{ChangedChannel}', notify) from failed where notify is not null
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = candidate.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = message });
        command.Parameters.Add(new NpgsqlParameter { Value = result.Json, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The newest finished task of a kind and key not reported yet (and any older), marked reported in one statement.</summary>
    private async Task<(string Args, T? Report, string? Error)?> TakeFinishedAsync<T>(string kind, string key, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        await using var command = dataSource.CreateCommand("""
            update tasks set reported = true
            where kind = $1 and key = $2 and not reported and state in ('succeeded', 'failed')
            returning id, args::text, result::text, error
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        (long Id, string Args, T? Report, string? Error)? newest = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (newest is { } n && n.Id > id)
            {
                continue;
            }

            newest = (id, reader.GetString(1), reader.IsDBNull(2) ? null : JsonSerializer.Deserialize(reader.GetString(2), type),
                reader.IsDBNull(3) ? null : reader.GetString(3));
        }

        return newest is { } taken ? (taken.Args, taken.Report, taken.Error) : null;
    }

    private static T Parse<T>(string json, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(json, type) ?? throw new InvalidDataException($"a task's {typeof(T).Name} is empty");

    private sealed record Candidate(long Id, string Kind, long? RepositoryId, bool Running, string? Worker, bool Stale, string Args, int Attempts, string? Notify);
}
