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
    private const string DirectoryPrefix = "packyard-test-pg-";

    /// <summary>The file in a cluster's directory naming the test process that owns it.</summary>
    private const string OwnerFile = "owner.pid";

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

        RemoveAbandoned();
        var directory = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
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

    /// <summary>
    /// Stops and deletes the clusters of test processes that are gone (killed, or ended before their exit handler ran): each holds
    /// a PostgreSQL and one to two GB of disk, and a machine that runs the tests all day filled its disk with them. A cluster
    /// without an owner file is left alone for an hour (another run may be creating it).
    /// </summary>
    private static void RemoveAbandoned()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            try
            {
                var owner = Path.Combine(directory, OwnerFile);
                if (File.Exists(owner)
                    ? int.TryParse(File.ReadAllText(owner), out var pid) && IsAlive(pid)
                    : Directory.GetLastWriteTimeUtc(directory) > DateTime.UtcNow.AddHours(-1))
                {
                    continue;
                }

                // postmaster.pid's first line is the postmaster; SIGQUIT is PostgreSQL's immediate shutdown.
                var lockFile = Path.Combine(directory, "data", "postmaster.pid");
                if (File.Exists(lockFile) && int.TryParse(File.ReadLines(lockFile).FirstOrDefault(), out var postmaster) && IsAlive(postmaster))
                {
                    System.Diagnostics.Process.Start("kill", ["-QUIT", postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit(5_000);
                    for (var wait = 0; wait < 50 && IsAlive(postmaster); wait++)
                    {
                        Thread.Sleep(100);
                    }
                }

                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
            {
                // in use or not ours: left for its owner
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
