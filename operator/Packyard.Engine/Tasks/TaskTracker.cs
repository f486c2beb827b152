using System.Globalization;
using Npgsql;

namespace Packyard.Engine.Tasks;

/// <summary>
/// Records work on a repository (sync, publish, promotion) as rows of the tasks table, with at most one running per
/// repository across every process. Exclusivity is a PostgreSQL session advisory lock held on the task's own
/// connection: when a worker dies its connection closes and the lock goes with it at once, so a restarted process
/// resumes immediately; the row it left as running is then marked failed.
/// </summary>
public sealed class TaskTracker(NpgsqlDataSource dataSource)
{
    /// <summary>The identity recorded for this process.</summary>
    public string Worker { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Starts a task, or returns null when another task is running for the repository.</summary>
    public async Task<RunningTask?> TryStartAsync(string kind, long repositoryId, CancellationToken cancellationToken, SyncTaskArgs? args = null)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (!await RepositoryLock.TryAcquireAsync(connection, repositoryId, cancellationToken))
            {
                await connection.DisposeAsync();
                return null;
            }

            // We hold the lock: a row still marked running belongs to a worker that died.
            await using (var reclaim = new NpgsqlCommand("""
                update tasks set state = 'failed', finished = now(), reported = true, error = 'worker ' || coalesce(worker, '?') || ' stopped before finishing'
                where repository_id = $1 and state = 'running'
                """, connection))
            {
                reclaim.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
                await reclaim.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var insert = new NpgsqlCommand(
                "insert into tasks (kind, repository_id, state, worker, heartbeat, started, attempts, reported, args) values ($1, $2, 'running', $3, now(), now(), 1, true, $4) returning id",
                connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = kind });
            insert.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
            insert.Parameters.Add(new NpgsqlParameter { Value = Worker });
            insert.Parameters.Add(new NpgsqlParameter
            {
                Value = args is null ? "{}" : System.Text.Json.JsonSerializer.Serialize(args, TaskJsonContext.Default.SyncTaskArgs), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb,
            });
            var id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
            return new RunningTask(connection, id);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The task running for a repository (kind and worker), for a message saying who holds it.</summary>
    public async Task<string?> DescribeRunningAsync(long repositoryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select kind, worker, started from tasks where repository_id = $1 and state = 'running'");
        command.Parameters.Add(new NpgsqlParameter { Value = repositoryId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? string.Create(CultureInfo.InvariantCulture, $"{reader.GetString(0)} by {reader.GetString(1)} since {reader.GetDateTime(2):u}")
            : "a task";
    }
}

/// <summary>A running task, holding its repository's lock until completed or disposed (disposing without completing marks it failed).</summary>
public sealed class RunningTask : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private bool completed;

    internal RunningTask(NpgsqlConnection connection, long id)
    {
        this.connection = connection;
        Id = id;
    }

    public long Id { get; }

    /// <summary>Marks the task succeeded or failed. Not cancellable: the outcome must be recorded.</summary>
    public async Task CompleteAsync(bool succeeded, string? error)
    {
        if (completed)
        {
            return;
        }

        completed = true;
        await using var command = new NpgsqlCommand("update tasks set state = $2, finished = now(), error = $3 where id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = succeeded ? "succeeded" : "failed" });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>Records how a sync ended (state, message and the report the backoff reads). Not cancellable.</summary>
    public async Task CompleteAsync(SyncReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (completed)
        {
            return;
        }

        completed = true;
        await using var command = new NpgsqlCommand("update tasks set state = $2, finished = now(), error = $3, result = $4 where id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = report.Succeeded ? "succeeded" : "failed" });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)report.Message ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = System.Text.Json.JsonSerializer.Serialize(report, TaskJsonContext.Default.SyncReport), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb,
        });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>Marks the task canceled (its Repository was deleted or its settings changed). Not cancellable.</summary>
    public async Task CancelAsync(string reason)
    {
        if (completed)
        {
            return;
        }

        completed = true;
        await using var command = new NpgsqlCommand("update tasks set state = 'canceled', finished = now(), error = $2 where id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Id });
        command.Parameters.Add(new NpgsqlParameter { Value = reason });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CompleteAsync(false, "interrupted");
            await RepositoryLock.ReleaseAllAsync(connection);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
