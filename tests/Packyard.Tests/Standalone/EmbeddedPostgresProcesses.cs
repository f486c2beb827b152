using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Packyard.Tests.Standalone;

/// <summary>
/// The private PostgreSQL that `packyard run` starts under <c>DATA/postgres</c>: its postmaster and backends as the
/// machine sees them (postmaster.pid, /proc), to check that it stopped, to crash it with SIGKILL, and to stop it.
/// </summary>
public sealed class EmbeddedPostgresProcesses(string packyardDataDirectory)
{
    private string Cluster => Path.Combine(packyardDataDirectory, "postgres");

    private string PidFile => Path.Combine(Cluster, "data", "postmaster.pid");

    /// <summary>The postmaster's process id from postmaster.pid, or null when the file is absent.</summary>
    public int? PostmasterId => File.Exists(PidFile)
        ? int.Parse(File.ReadLines(PidFile).First(), CultureInfo.InvariantCulture)
        : null;

    /// <summary>A connection string (no pooling) to database <paramref name="database"/> of the cluster.</summary>
    public string ConnectionString(string database = "packyard") =>
        $"Host=127.0.0.1;Port={File.ReadAllText(Path.Combine(Cluster, "port")).Trim()};Username=postgres;Database={database};Pooling=false;Timeout=5";

    public static bool IsAlive(int processId) => Directory.Exists($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The value of <c>SHOW <paramref name="setting"/></c>.</summary>
    public async Task<string> ShowAsync(string setting)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"show {setting}", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The postmaster and every process it started (backends, WAL writer, checkpointer…).</summary>
    public List<int> Processes()
    {
        var postmaster = PostmasterId ?? throw new InvalidOperationException("no postmaster.pid: the cluster is not running");
        return [postmaster, .. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(id => ParentOf(id) == postmaster)];
    }

    /// <summary>
    /// SIGKILL to <paramref name="known"/> (taken beforehand, so the first kills cost no /proc scan), then to any process
    /// of the cluster that started since: a crash of PostgreSQL, as the kernel's OOM killer or a power cut leaves it.
    /// </summary>
    public void KillAll(IReadOnlyList<int> known)
    {
        var postmaster = known[0];
        foreach (var id in known)
        {
            Kill(id);
        }

        foreach (var id in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture)).Where(id => ParentOf(id) == postmaster))
        {
            Kill(id);
        }
    }

    private static void Kill(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for <paramref name="processId"/> to be gone.</summary>
    public static async Task<bool> WaitGoneAsync(int processId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (IsAlive(processId) && clock.Elapsed < timeout)
        {
            await Task.Delay(100);
        }

        return !IsAlive(processId);
    }

    /// <summary>Sends a signal (<c>TERM</c>, <c>KILL</c>) with kill(1).</summary>
    public static void Signal(int processId, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", processId.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>Stops the cluster with pg_ctl if it runs (cleanup; a failure is printed, not thrown, so it hides no test failure).</summary>
    public async Task StopAsync()
    {
        if (PostmasterId is not { } id || !IsAlive(id))
        {
            return;
        }

        var pgCtl = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin", "pg_ctl"))
            .Where(File.Exists)
            .OrderDescending(StringComparer.Ordinal)
            .First();
        string[] arguments = ["-D", Path.Combine(Cluster, "data"), "stop", "-m", "fast", "-w"];
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : pgCtl, asRoot ? ["-u", "postgres", "--", pgCtl, .. arguments] : arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/",
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"pg_ctl stop failed: {output}");
        }
    }

    private static int? ParentOf(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null; // exited meanwhile
        }
    }
}
