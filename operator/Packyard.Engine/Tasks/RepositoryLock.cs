using Npgsql;

namespace Packyard.Engine.Tasks;

/// <summary>
/// The session advisory lock that makes work on one repository exclusive across every process. It lives on the connection
/// of the task holding it: when that process dies the connection closes and the lock goes with it.
/// </summary>
internal static class RepositoryLock
{
    // Advisory lock namespace for repositories: "py".
    internal const int LockClass = 0x7079;

    public static async Task<bool> TryAcquireAsync(NpgsqlConnection connection, long repositoryId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1, $2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = LockClass });
        command.Parameters.Add(new NpgsqlParameter { Value = checked((int)repositoryId) });
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>Releases every advisory lock of the connection. Not cancellable: a lock must not outlive its task.</summary>
    public static async Task ReleaseAllAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_unlock_all()", connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>Releases the connection's locks (when it is still open: a broken session holds none) and closes it.</summary>
    public static async Task ReleaseAndCloseAsync(NpgsqlConnection connection)
    {
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ReleaseAllAsync(connection);
            }
        }
        catch (NpgsqlException)
        {
            // The connection broke: the server dropped the session and its locks with it.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Ends the database session holding an advisory lock (a hung worker's: a repository's lock, or the reclaim lock held
    /// exclusively when <paramref name="exclusiveOnly"/>), which releases the lock.
    /// </summary>
    public static async Task TerminateHolderAsync(NpgsqlConnection connection, int lockClass, long key, bool exclusiveOnly, CancellationToken cancellationToken)
    {
        // A two-key advisory lock shows in pg_locks as classid = key 1, objid = key 2, objsubid = 2.
        await using var command = new NpgsqlCommand("""
            select pg_terminate_backend(pid) from pg_locks
            where locktype = 'advisory' and granted and classid = $1::oid and objid = $2::oid and objsubid = 2 and pid <> pg_backend_pid()
              and (not $3 or mode = 'ExclusiveLock')
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = (long)lockClass });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = exclusiveOnly });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
