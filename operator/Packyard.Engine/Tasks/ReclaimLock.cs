using Npgsql;

namespace Packyard.Engine.Tasks;

/// <summary>
/// The advisory lock that keeps orphan cleanup (a reclaim task) away from work that may reference what it deletes: every
/// sync, publish and promote task holds it shared on its task connection while it runs, and so does an upload for its
/// transaction; a reclaim task holds it exclusively. So a reclaim runs only while nothing else writes repository content,
/// and nothing starts writing until it ends.
/// </summary>
internal static class ReclaimLock
{
    // Advisory lock namespace for reclaim: "rc"; one lock, key 0.
    internal const int LockClass = 0x7263;

    /// <summary>Takes the lock shared for the session; false while a reclaim holds it.</summary>
    public static async Task<bool> TryAcquireSharedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select pg_try_advisory_lock_shared({LockClass}, 0)", connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    /// <summary>Takes the lock exclusively for the session; false while any task or upload holds it shared.</summary>
    public static async Task<bool> TryAcquireExclusiveAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select pg_try_advisory_lock({LockClass}, 0)", connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }

    /// <summary>Takes the lock shared for the session, waiting while a reclaim runs (an upload); release with <see cref="ReleaseSharedAsync"/>.</summary>
    public static async Task AcquireSharedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select pg_advisory_lock_shared({LockClass}, 0)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the shared lock. Not cancellable: a pooled connection must not keep it.</summary>
    public static async Task ReleaseSharedAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        await using var command = new NpgsqlCommand($"select pg_advisory_unlock_shared({LockClass}, 0)", connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
