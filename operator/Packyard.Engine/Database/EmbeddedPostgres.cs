using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Packyard.Engine.Database;

/// <summary>
/// A private PostgreSQL cluster from the machine's PostgreSQL binaries, in a data directory of ours (standalone
/// mode and tests). PostgreSQL refuses to run as root: when we are root, the cluster runs as the
/// <c>postgres</c> user through <c>runuser</c> and the directory is handed to that user. Listens on 127.0.0.1
/// only, with trust authentication (the port is not reachable from other machines). Durable unless
/// <see cref="EmbeddedPostgresOptions.Durable"/> says otherwise; a cluster found running with the other setting is restarted.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private static readonly TimeSpan StoppedWaitLimit = TimeSpan.FromSeconds(30);

    private readonly string dataDirectory;
    private readonly string binDirectory;
    private readonly bool asPostgresUser;
    private readonly EmbeddedPostgresOptions options;

    private EmbeddedPostgres(string directory, string binDirectory, int port, EmbeddedPostgresOptions options)
    {
        this.options = options;
        Directory = directory;
        dataDirectory = Path.Combine(directory, "data");
        this.binDirectory = binDirectory;
        Port = port;
        asPostgresUser = Environment.UserName == "root";
    }

    /// <summary>The folder holding the cluster (data/, the log and the socket).</summary>
    public string Directory { get; }

    public int Port { get; }

    /// <summary>Connection string for <paramref name="database"/> (default: postgres).</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=50;Timeout=30;Command Timeout=0";

    /// <summary>Initialises the cluster if needed and starts it (or finds it already running).</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string directory, EmbeddedPostgresOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        var portFile = Path.Combine(directory, "port");
        var port = File.Exists(portFile) ? int.Parse(await File.ReadAllTextAsync(portFile, cancellationToken), CultureInfo.InvariantCulture) : FreePort();
        var postgres = new EmbeddedPostgres(directory, FindBinaries(), port, options);
        await postgres.InitializeAndStartAsync(cancellationToken);
        await File.WriteAllTextAsync(portFile, port.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return postgres;
    }

    private async Task InitializeAndStartAsync(CancellationToken cancellationToken)
    {
        if (asPostgresUser)
        {
            await RunAsync("chown", ["-R", "postgres:", Directory], asPostgres: false, cancellationToken);
            // Every parent must be traversable by the postgres user.
            for (var parent = System.IO.Directory.GetParent(Directory); parent is not null; parent = parent.Parent)
            {
                if (!OperatingSystem.IsWindows())
                {
                    var mode = File.GetUnixFileMode(parent.FullName);
                    if ((mode & UnixFileMode.OtherExecute) == 0)
                    {
                        File.SetUnixFileMode(parent.FullName, mode | UnixFileMode.OtherExecute);
                    }
                }
            }
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            string[] initdb = ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"];
            await RunAsync(Path.Combine(binDirectory, "initdb"), options.Durable ? initdb : [.. initdb, "--no-sync"], asPostgresUser, cancellationToken);
        }

        if (await IsRunningAsync(cancellationToken))
        {
            // Left running by an earlier process (a crash, --keep-database, an older Packyard that ran it with fsync off):
            // reuse it only when it runs with the durability asked for now.
            switch (await TryIsDurableAsync(cancellationToken))
            {
                case { } durable when durable == options.Durable:
                    return;
                case not null:
                    await StopAsync();
                    break;
                default:
                    // Its postmaster.pid names a live process that does not answer: a postmaster killed a moment ago
                    // whose process has not been reaped yet. Start once it is gone.
                    await WaitUntilStoppedAsync(cancellationToken);
                    break;
            }
        }

        var durability = options.Durable ? "on" : "off";
        var settings = $"-c listen_addresses=127.0.0.1 -p {Port} -k {Directory} -c fsync={durability} -c synchronous_commit={durability} -c full_page_writes={durability} -c max_connections=300 -c shared_buffers=128MB";
        await RunAsync(Path.Combine(binDirectory, "pg_ctl"),
            ["-D", dataDirectory, "-l", Path.Combine(Directory, "postgres.log"), "-w", "-t", "60", "-o", settings, "start"], asPostgresUser, cancellationToken);
    }

    /// <summary>
    /// True when the running cluster has fsync, full_page_writes and synchronous_commit all on; null when it does not
    /// accept connections.
    /// </summary>
    private async Task<bool?> TryIsDurableAsync(CancellationToken cancellationToken)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString()) { Pooling = false }.ConnectionString);
        await using var command = dataSource.CreateCommand(
            "select count(*) from pg_settings where name in ('fsync', 'full_page_writes', 'synchronous_commit') and setting = 'on'");
        try
        {
            return (long)(await command.ExecuteScalarAsync(cancellationToken))! == 3;
        }
        catch (Npgsql.NpgsqlException e) when (e.InnerException is System.Net.Sockets.SocketException || e.IsTransient)
        {
            return null;
        }
    }

    private async Task WaitUntilStoppedAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StoppedWaitLimit;
        while (await IsRunningAsync(cancellationToken))
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException(
                    $"a PostgreSQL process named in {Path.Combine(dataDirectory, "postmaster.pid")} is alive but does not accept connections on 127.0.0.1:{Port}; stop it and start Packyard again");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["-D", dataDirectory, "status"], asPostgresUser, cancellationToken, throwOnError: false);
        return result == 0;
    }

    /// <summary>Creates a database if it does not exist.</summary>
    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(ConnectionString());
        await using var exists = dataSource.CreateCommand("select 1 from pg_database where datname = $1");
        exists.Parameters.Add(new Npgsql.NpgsqlParameter { Value = name });
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = dataSource.CreateCommand($"create database \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task StopAsync()
    {
        await RunAsync(Path.Combine(binDirectory, "pg_ctl"), ["-D", dataDirectory, "-m", "fast", "-w", "stop"], asPostgresUser, CancellationToken.None, throwOnError: false);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (System.IO.Directory.Exists(root))
        {
            var newest = System.IO.Directory.GetDirectories(root)
                .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Directory, "bin", "initdb")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Directory is not null)
            {
                return Path.Combine(newest.Directory, "bin");
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            if (File.Exists(Path.Combine(dir, "initdb")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql, or pass --database with a connection string");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<int> RunAsync(string program, string[] arguments, bool asPostgres, CancellationToken cancellationToken, bool throwOnError = true)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asPostgres)
        {
            foreach (var argument in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (throwOnError && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await error}{await output}");
        }

        return process.ExitCode;
    }
}
