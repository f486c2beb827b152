using System.Diagnostics;
using System.Globalization;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>
/// Operator mode end to end: the run's real API server (<see cref="KubernetesEnvironment"/>) with a namespace of this test,
/// the real kubectl (its default namespace is the test's), a PostgreSQL database and artifact folder of this test, and real
/// <c>packyard operator</c> processes (started in <c>examples/files-quickstart</c>, so the quickstart's relative
/// <c>file:upstream/</c> URL resolves) with short leases and a short resync, watching only the test's namespace.
/// The operators authenticate with a client certificate of their own user (<see cref="OperatorUser"/>, a cluster admin), so the
/// audit log tells their requests apart from the test's.
/// </summary>
public sealed class OperatorCluster : IAsyncDisposable
{
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(500);
    private readonly TemporaryDirectory directory = new();
    private readonly List<PackyardProcess> operators = [];
    private readonly long auditStart;

    private OperatorCluster(KubernetesEnvironment environment, string @namespace, string database)
    {
        Environment = environment;
        Namespace = @namespace;
        Database = database;
        auditStart = environment.Audit.Mark();
        Kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "admin.kubeconfig"), @namespace));
        OperatorKubeconfig = environment.WriteUserKubeconfig(Path.Combine(directory.Path, "operator.kubeconfig"), OperatorUser, @namespace, "system:masters");
    }

    public KubernetesEnvironment Environment { get; }

    /// <summary>The namespace of this test: resources, the Lease and the operators' watches live here.</summary>
    public string Namespace { get; }

    /// <summary>The user the operators authenticate as.</summary>
    public string OperatorUser => $"packyard-operator-{Namespace}";

    /// <summary>The kubeconfig the operators get (<see cref="OperatorUser"/>, default namespace <see cref="Namespace"/>).</summary>
    public string OperatorKubeconfig { get; }

    /// <summary>kubectl as cluster admin, in <see cref="Namespace"/> by default.</summary>
    public Kubectl Kubectl { get; }

    public string Database { get; }

    /// <summary>The artifact store replicas and workers share (a directory; objects under objects/ab/cd/sha256).</summary>
    public string Storage => Path.Combine(directory.Path, "artifacts");

    /// <summary>The <c>--storage</c> every replica and worker gets: <see cref="Storage"/> unless a test sets another store (an s3:// URL).</summary>
    public string StorageUrl { get; set; } = "";

    private string StorageArgument => StorageUrl.Length > 0 ? StorageUrl : Storage;

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

    /// <summary>A cluster on the run's shared API server, or on <paramref name="environment"/> (a dedicated one the test may restart).</summary>
    public static async Task<OperatorCluster> StartAsync(string name, KubernetesEnvironment? environment = null)
    {
        environment ??= await KubernetesEnvironment.GetSharedAsync();
        return new(environment, await environment.CreateNamespaceAsync(name), await PostgresCluster.CreateDatabaseAsync(name));
    }

    /// <summary>Starts <c>packyard operator</c> as replica <paramref name="identity"/> with a 4 s lease, a resync of <paramref name="resync"/> and all roles.</summary>
    public PackyardProcess StartOperator(string identity, string resync = "10s", params string[] extra) =>
        StartReplica(identity, OperatorKubeconfig, shortLease: true, resync, extra);

    /// <summary>
    /// A kubeconfig for a user of its own, <c><see cref="OperatorUser"/>:<paramref name="replica"/></c> (a cluster admin), so the
    /// audit log tells that replica's requests apart; <see cref="Requests"/> counts them too.
    /// </summary>
    public string ReplicaKubeconfig(string replica) =>
        Environment.WriteUserKubeconfig(Path.Combine(directory.Path, $"{replica}.kubeconfig"), ReplicaUser(replica), Namespace, "system:masters");

    /// <summary>The user of <see cref="ReplicaKubeconfig"/>.</summary>
    public string ReplicaUser(string replica) => $"{OperatorUser}:{replica}";

    /// <summary>
    /// Starts <c>packyard operator</c> as replica <paramref name="identity"/> with <paramref name="kubeconfig"/>; with
    /// <paramref name="shortLease"/> a 4 s lease renewed every 500 ms, else the defaults (15 s lease, 10 s renew deadline, 2 s retry).
    /// </summary>
    public PackyardProcess StartReplica(string identity, string kubeconfig, bool shortLease, string resync = "10s", params string[] extra)
    {
        var port = HttpUpstream.FreePort();
        List<string> arguments =
        [
            "operator", "--kubeconfig", kubeconfig, "--namespace", Namespace, "--database", Database, "--storage", StorageArgument,
            "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--data-dir", Path.Combine(directory.Path, identity),
            "--identity", identity, "--leader-election-namespace", Namespace, "--secret-key-file", SecretKeyFile, "--resync", resync,
        ];
        if (shortLease)
        {
            arguments.AddRange(["--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "500ms"]);
        }

        arguments.AddRange(extra);
        var process = PackyardProcess.Launch(Path.Combine(RepositoryRoot.Path, "examples", "files-quickstart"), port, arguments);
        operators.Add(process);
        return process;
    }

    /// <summary>
    /// Starts <c>packyard operator --role controller</c> as <paramref name="identity"/> with no <c>--storage</c> (nor
    /// PACKYARD_STORAGE): a controller reconciles through tasks and never needs the shared artifact store.
    /// </summary>
    public PackyardProcess StartControllerWithoutStore(string identity, params string[] extra)
    {
        var port = HttpUpstream.FreePort();
        List<string> arguments =
        [
            "operator", "--role", "controller", "--kubeconfig", OperatorKubeconfig, "--namespace", Namespace, "--database", Database,
            "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--data-dir", Path.Combine(directory.Path, identity),
            "--identity", identity, "--leader-election-namespace", Namespace, "--secret-key-file", SecretKeyFile, "--resync", "10s",
            "--lease-duration", "4s", "--renew-deadline", "3s", "--retry-period", "500ms",
        ];
        arguments.AddRange(extra);
        var process = PackyardProcess.Launch(Path.Combine(RepositoryRoot.Path, "examples", "files-quickstart"), port, arguments);
        operators.Add(process);
        return process;
    }

    /// <summary>The data directory of replica or worker <paramref name="identity"/>.</summary>
    public string DataDirectoryOf(string identity) => Path.Combine(directory.Path, identity);

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
            "--storage", StorageArgument, "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
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

    /// <summary>
    /// A ServiceAccount of <see cref="Namespace"/> allowed to upload the way README and config/rbac describe it: the shipped
    /// <c>packyard-uploader</c> ClusterRole bound with a RoleBinding (<c>kubectl create rolebinding</c>); returns a token from
    /// <c>kubectl create token</c>.
    /// </summary>
    public async Task<string> CreateUploaderTokenAsync(string serviceAccount)
    {
        // Cluster-scoped and shared by the test classes: server-side apply is idempotent; a lost race to create it is tried again.
        for (var attempt = 1; ; attempt++)
        {
            var role = await Kubectl.RunAsync("apply", "--server-side", "--field-manager=packyard-tests", "-f", "config/rbac/uploader_role.yaml");
            if (role.ExitCode == 0)
            {
                break;
            }

            Assert.True(attempt < 3, $"kubectl apply -f config/rbac/uploader_role.yaml: {role.Error}");
        }

        await Kubectl.SucceedAsync("create", "serviceaccount", serviceAccount);
        await Kubectl.SucceedAsync("create", "rolebinding", $"{serviceAccount}-uploads", "--clusterrole=packyard-uploader", $"--serviceaccount={Namespace}:{serviceAccount}");
        return (await Kubectl.SucceedAsync("create", "token", serviceAccount)).Trim();
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

    /// <summary>The Lease's holder and acquireTime, or null while there is no Lease.</summary>
    public async Task<(string? Holder, DateTimeOffset? AcquireTime)?> TryGetLeaseAsync()
    {
        using var response = await Environment.Http.GetAsync($"/apis/coordination.k8s.io/v1/namespaces/{Namespace}/leases/packyard-controller");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var spec = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["spec"]!;
        var acquired = (string?)spec["acquireTime"];
        return ((string?)spec["holderIdentity"], acquired is null ? null : DateTimeOffset.Parse(acquired, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    /// <summary>The operators' API requests that changed something (create, update, patch, delete), optionally without the Lease renewals.</summary>
    public List<AuditEvent> Writes(bool includeLeases = false) =>
        Requests().Where(r => r.IsWrite).Where(r => includeLeases || r.Resource != "leases").ToList();

    /// <summary>Every API request the operators made since this cluster started, in order of completion.</summary>
    public List<AuditEvent> Requests() =>
        Environment.Audit.Since(auditStart).Where(r => r.User == OperatorUser || r.User.StartsWith(OperatorUser + ":", StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in operators)
        {
            await replica.DisposeAsync();
        }

        Kubectl.Dispose();
        directory.Dispose();
    }
}
