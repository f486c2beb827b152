using System.Diagnostics;
using System.Globalization;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.ApiServer;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>
/// Operator mode end to end: a test API server, the real kubectl, a PostgreSQL database and artifact folder of this
/// test, and real <c>packyard operator</c> processes (started in <c>examples/files-quickstart</c>, so the quickstart's
/// relative <c>file:upstream/</c> URL resolves) with short leases and a short resync.
/// </summary>
public sealed class OperatorCluster : IAsyncDisposable
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(500);
    private readonly TemporaryDirectory directory = new();
    private readonly List<PackyardProcess> operators = [];

    private OperatorCluster(TestApiServer server, string database)
    {
        Server = server;
        Database = database;
        Kubectl = new Kubectl(server);
    }

    public TestApiServer Server { get; }

    public Kubectl Kubectl { get; }

    public string Database { get; }

    /// <summary>The key every replica encrypts and decrypts Remote credentials with (replicas share the database).</summary>
    public string SecretKeyFile
    {
        get
        {
            var path = Path.Combine(directory.Path, "secret-key");
            if (!File.Exists(path))
            {
                File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
            }

            return path;
        }
    }

    public static async Task<OperatorCluster> StartAsync(string name) =>
        new(await TestApiServer.StartAsync(bookmarkInterval: TimeSpan.FromSeconds(1)), await PostgresCluster.CreateDatabaseAsync(name));

    /// <summary>Starts <c>packyard operator</c> as replica <paramref name="identity"/> with a 4 s lease, a resync of <paramref name="resync"/> and all roles.</summary>
    public PackyardProcess StartOperator(string identity, string resync = "10s", params string[] extra)
    {
        var port = HttpUpstream.FreePort();
        List<string> arguments =
        [
            "operator", "--kubeconfig", Kubectl.Kubeconfig, "--database", Database, "--storage", Path.Combine(directory.Path, "artifacts"),
            "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--data-dir", Path.Combine(directory.Path, identity),
            "--identity", identity, "--leader-election-namespace", "default", "--secret-key-file", SecretKeyFile,
            "--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "500ms", "--resync", resync,
        ];
        arguments.AddRange(extra);
        var process = PackyardProcess.Launch(Path.Combine(RepositoryRoot.Path, "examples", "files-quickstart"), port, arguments);
        operators.Add(process);
        return process;
    }

    /// <summary>
    /// Starts <c>packyard operator --role worker</c> as <paramref name="identity"/> on this cluster's database and artifact store. It
    /// gets a kubeconfig path that does not exist: a worker must not need Kubernetes at all.
    /// </summary>
    public PackyardProcess StartWorker(string identity, params string[] extra)
    {
        var port = HttpUpstream.FreePort();
        List<string> arguments =
        [
            "operator", "--role", "worker", "--kubeconfig", Path.Combine(directory.Path, "no-kubeconfig-for-workers"), "--database", Database,
            "--storage", Path.Combine(directory.Path, "artifacts"), "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            "--data-dir", Path.Combine(directory.Path, identity), "--identity", identity, "--task-heartbeat", "1s", "--task-timeout", "10s",
        ];
        if (!extra.Contains("--secret-key-file"))
        {
            arguments.AddRange(["--secret-key-file", SecretKeyFile]);
        }

        arguments.AddRange(extra);
        var process = PackyardProcess.Launch(Path.Combine(RepositoryRoot.Path, "examples", "files-quickstart"), port, arguments);
        operators.Add(process);
        return process;
    }

    /// <summary>The replica's /metrics, or null while it does not answer.</summary>
    public static async Task<string?> TryMetricsAsync(PackyardProcess replica)
    {
        try
        {
            return await replica.Http.GetStringAsync("metrics");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The sum of a metric's samples whose labels contain every one of <paramref name="labels"/> (e.g. <c>kind="Repository"</c>).</summary>
    public static double Metric(string metrics, string name, params string[] labels) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>Waits until the replica reports <c>packyard_leader 1</c>; returns how long that took.</summary>
    public static async Task<TimeSpan> WaitForLeadershipAsync(PackyardProcess replica, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        await replica.WaitUntilAsync("the replica leads", async () =>
            await TryMetricsAsync(replica) is { } metrics && Metric(metrics, "packyard_leader") == 1, timeout);
        return clock.Elapsed;
    }

    /// <summary>API requests that change something (POST, PUT, PATCH, DELETE), optionally without the Lease renewals.</summary>
    public List<TestApiServer.RecordedRequest> Writes(bool includeLeases = false) =>
        Server.Requests.Where(r => r.Method is "POST" or "PUT" or "PATCH" or "DELETE")
            .Where(r => includeLeases || !r.PathAndQuery.Contains("/leases", StringComparison.Ordinal))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in operators)
        {
            await replica.DisposeAsync();
        }

        Kubectl.Dispose();
        await Server.DisposeAsync();
        directory.Dispose();
    }
}
