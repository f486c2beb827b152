using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Packyard.Engine.Database;

/// <summary>
/// Applies the embedded SQL migrations (Database/Migrations/NNNN_name.sql) in order, each in its own transaction,
/// under a session advisory lock so that several replicas starting together apply each migration exactly once.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    // An arbitrary constant shared by every Packyard process: "packyard" in ASCII.
    private const long AdvisoryLockKey = 0x7061636b79617264;

    public async Task<int> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"select pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection,
                "create table if not exists schema_migrations (version int primary key, name text not null, applied timestamptz not null default now())",
                cancellationToken);

            var applied = new HashSet<int>();
            await using (var command = new NpgsqlCommand("select version from schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            var count = 0;
            foreach (var migration in EmbeddedMigrations())
            {
                if (applied.Contains(migration.Version))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand("insert into schema_migrations (version, name) values ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
                    record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                EngineLog.MigrationApplied(logger, migration.Version, migration.Name);
                count++;
            }

            return count;
        }
        finally
        {
            // Unlock even when cancelled: the lock is held by the session and the connection goes back to the pool.
            await ExecuteAsync(connection, $"select pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static IEnumerable<Migration> EmbeddedMigrations()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        const string marker = ".Database.Migrations.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var index = resource.IndexOf(marker, StringComparison.Ordinal);
            if (index < 0 || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = resource[(index + marker.Length)..^4];
            var version = int.Parse(fileName.AsSpan(0, 4), provider: System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, fileName, reader.ReadToEnd()));
        }

        return migrations.OrderBy(m => m.Version);
    }

    private sealed record Migration(int Version, string Name, string Sql);
}
