using Npgsql;
using Packyard.Engine.Database;

namespace Packyard.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL cluster per test run (the machine's PostgreSQL binaries, a temp data directory), shared by all
/// test classes, each of which gets a database of its own. With PACKYARD_TEST_POSTGRES set (a connection string
/// to a server whose user may create databases), that server is used instead.
/// </summary>
public static class PostgresCluster
{
    private static readonly Lazy<Task<Func<string, string>>> Cluster = new(StartAsync);
    private static int counter;

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var connectionStringFor = await Cluster.Value;
        var name = $"{new string(prefix.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(40).ToArray())}_{Environment.ProcessId}_{Interlocked.Increment(ref counter)}";
        await using var dataSource = NpgsqlDataSource.Create(connectionStringFor("postgres"));
        await using var command = dataSource.CreateCommand($"create database \"{name}\"");
        await command.ExecuteNonQueryAsync();
        return connectionStringFor(name);
    }

    private static async Task<Func<string, string>> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("PACKYARD_TEST_POSTGRES") is { Length: > 0 } external)
        {
            return database => new NpgsqlConnectionStringBuilder(external) { Database = database }.ConnectionString;
        }

        var directory = Directory.CreateTempSubdirectory("packyard-test-pg-").FullName;
        // Non-durable on purpose: a throwaway cluster for the test run, where speed matters and a crash loses nothing of value.
        var postgres = await EmbeddedPostgres.StartAsync(directory, new EmbeddedPostgresOptions { Durable = false }, CancellationToken.None);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            postgres.StopAsync().GetAwaiter().GetResult();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return postgres.ConnectionString;
    }
}
