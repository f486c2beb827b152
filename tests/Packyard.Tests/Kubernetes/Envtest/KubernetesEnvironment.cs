using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>
/// A real Kubernetes control plane for tests, as controller-runtime's envtest gives Go operators: etcd and kube-apiserver
/// (v1.36.2, see <see cref="EnvtestAssets"/>) on loopback ports with in-memory certificates, RBAC authorization, a static
/// token file, a service-account signing key (so TokenReview and <c>kubectl create token</c> work) and a JSON audit log of
/// every request. Packyard's CRDs are installed and Established before the first test uses it.
/// <para>
/// One <see cref="GetSharedAsync">shared</see> instance serves the whole test run; each test class takes a namespace of its own
/// (<see cref="CreateNamespaceAsync"/>). A test that restarts the API server starts a <see cref="StartAsync">dedicated</see> one.
/// kube-controller-manager (namespace deletion, garbage collection, the default ServiceAccount) starts on demand.
/// </para>
/// </summary>
public sealed class KubernetesEnvironment : IAsyncDisposable
{
    /// <summary>The audience the API server puts into the tokens it issues and accepts by default.</summary>
    public const string DefaultAudience = "https://kubernetes.default.svc.cluster.local";

    /// <summary>The admin user of the static token file, in group system:masters.</summary>
    public const string AdminUser = "envtest-admin";

    private static readonly Lazy<Task<KubernetesEnvironment>> Shared = new(() => StartAsync());
    private static int namespaceCounter;
    private readonly TemporaryDirectory directory;
    private readonly EnvtestPki pki;
    private readonly Dictionary<string, string> staticTokens = [];
    private readonly SemaphoreSlim controllerManagerLock = new(1, 1);
    private EnvtestProcess? etcd;
    private EnvtestProcess? apiServer;
    private EnvtestProcess? controllerManager;
    private int etcdPort;
    private IReadOnlyList<string> extraApiServerFlags = [];

    private KubernetesEnvironment(TemporaryDirectory directory)
    {
        this.directory = directory;
        Directory.CreateDirectory(PkiFolder);
        pki = new EnvtestPki(PkiFolder);
        AdminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        Port = HttpUpstream.FreePort();
        Audit = new AuditLog(Path.Combine(directory.Path, "audit.log"));
        Http = CreateHttpClient(AdminToken);
    }

    /// <summary>Users with a fixed bearer token (the API server reads its token file only at start): name → groups.</summary>
    public static IReadOnlyDictionary<string, string[]> StaticUsers { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["alice"] = ["developers"],
        ["bob"] = [],
        ["mallory"] = ["developers"],
        ["ci-bot"] = ["release-team"],
    };

    public int Port { get; }

    public string Url => $"https://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string AdminToken { get; }

    /// <summary>The CA certificate (PEM) the API server's serving certificate chains to.</summary>
    public string CaPem => pki.CaPem;

    public string CaFile => pki.CaFile;

    /// <summary>An admin HTTP client for the API server (base address <see cref="Url"/>).</summary>
    public HttpClient Http { get; }

    /// <summary>The API server's audit log: every request with user, verb, resource and response code.</summary>
    public AuditLog Audit { get; }

    public static string KubectlPath => EnvtestAssets.Binary("kubectl");

    private string PkiFolder => Path.Combine(directory.Path, "pki");

    /// <summary>The environment shared by the whole test run (started on first use, stopped when the test process exits).</summary>
    public static Task<KubernetesEnvironment> GetSharedAsync() => Shared.Value;

    /// <summary>
    /// Starts a control plane of its own (dispose it); for tests that stop or restart the API server. <paramref name="apiServerFlags"/>
    /// go to every start of kube-apiserver after the fixture's own (e.g. <c>--etcd-compaction-interval=2s</c>).
    /// </summary>
    public static async Task<KubernetesEnvironment> StartAsync(IReadOnlyList<string>? apiServerFlags = null)
    {
        var environment = new KubernetesEnvironment(new TemporaryDirectory()) { extraApiServerFlags = apiServerFlags ?? [] };
        try
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => environment.DisposeAsync().AsTask().GetAwaiter().GetResult();
            await environment.StartEtcdAsync();
            await environment.StartApiServerAsync();
            await environment.InstallCrdsAsync();
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    /// <summary>The bearer token of one of <see cref="StaticUsers"/>.</summary>
    public string StaticUserToken(string user) =>
        staticTokens.TryGetValue(user, out var token) ? token : throw new ArgumentException($"{user} is not one of the static users", nameof(user));

    /// <summary>Creates a namespace named after <paramref name="prefix"/> (unique in the run) and returns its name.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix)
    {
        var stem = new string(prefix.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Take(40).ToArray()).Trim('-');
        var name = $"{(stem.Length == 0 ? "test" : stem)}-{Interlocked.Increment(ref namespaceCounter).ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";
        await SendAsync(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } });
        return name;
    }

    /// <summary>Creates the ServiceAccount if it does not exist and returns a token for it (the TokenRequest API, as <c>kubectl create token</c>).</summary>
    public async Task<string> CreateServiceAccountTokenAsync(string @namespace, string serviceAccount, string? audience = null, TimeSpan? lifetime = null)
    {
        await EnsureServiceAccountAsync(@namespace, serviceAccount);
        var spec = new JsonObject { ["expirationSeconds"] = (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds };
        if (audience is not null)
        {
            spec["audiences"] = new JsonArray(audience);
        }

        var response = await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{@namespace}/serviceaccounts/{serviceAccount}/token",
            new JsonObject { ["apiVersion"] = "authentication.k8s.io/v1", ["kind"] = "TokenRequest", ["spec"] = spec });
        return response!["status"]!["token"]!.GetValue<string>();
    }

    public async Task EnsureServiceAccountAsync(string @namespace, string serviceAccount) =>
        await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{@namespace}/serviceaccounts",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = serviceAccount } },
            allowConflict: true);

    /// <summary>Sends an admin request with a JSON body; returns the response JSON. Fails on any error status (409 too, unless allowed).</summary>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, bool allowConflict = false, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.Conflict && allowConflict)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {path} → {(int)response.StatusCode}: {text}", null, response.StatusCode);
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Writes a kubeconfig for the admin (token) with <paramref name="namespace"/> as the context's default namespace.</summary>
    public string WriteKubeconfig(string path, string? @namespace = null) =>
        WriteKubeconfig(path, @namespace, $"    token: {AdminToken}\n");

    /// <summary>Writes a kubeconfig that authenticates with a bearer token (a ServiceAccount's or a static user's).</summary>
    public string WriteTokenKubeconfig(string path, string token, string? @namespace = null) =>
        WriteKubeconfig(path, @namespace, $"    token: {token}\n");

    /// <summary>Writes a kubeconfig that authenticates as <paramref name="user"/> in <paramref name="groups"/> with a client certificate.</summary>
    public string WriteUserKubeconfig(string path, string user, string? @namespace = null, params string[] groups)
    {
        var (certificate, key) = pki.ClientCertificate(user, groups);
        return WriteKubeconfig(path, @namespace,
            $"    client-certificate-data: {Base64(certificate)}\n    client-key-data: {Base64(key)}\n");
    }

    /// <summary>An HTTP client (base address <see cref="Url"/>) that trusts the API server's CA and sends <paramref name="token"/>.</summary>
    public HttpClient CreateHttpClient(string? token)
    {
        var caCertificate = X509Certificate2.CreateFromPem(CaPem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(caCertificate);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Starts kube-controller-manager once (namespace deletion, garbage collection, default ServiceAccounts).</summary>
    public async Task EnsureControllerManagerAsync()
    {
        await controllerManagerLock.WaitAsync();
        try
        {
            if (controllerManager is { HasExited: false })
            {
                return;
            }

            var kubeconfig = WriteKubeconfig(Path.Combine(directory.Path, "controller-manager.kubeconfig"));
            var port = HttpUpstream.FreePort();
            controllerManager = EnvtestProcess.Start("kube-controller-manager", EnvtestAssets.Binary("kube-controller-manager"), Path.Combine(directory.Path, "kube-controller-manager.log"),
            [
                $"--kubeconfig={kubeconfig}", "--bind-address=127.0.0.1", $"--secure-port={port.ToString(CultureInfo.InvariantCulture)}",
                $"--cert-dir={Path.Combine(directory.Path, "kcm-certs")}", $"--flex-volume-plugin-dir={Path.Combine(directory.Path, "kcm-flexvolume")}",
                "--leader-elect=false", $"--service-account-private-key-file={pki.ServiceAccountKeyFile}", $"--root-ca-file={pki.CaFile}",
                "--use-service-account-credentials=true", "--controllers=*", "--profiling=false",
            ]);
            using var insecure = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
            insecure.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
            await WaitUntilAsync(controllerManager, async () =>
                (await insecure.GetAsync($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/healthz")).IsSuccessStatusCode);
        }
        finally
        {
            controllerManagerLock.Release();
        }
    }

    /// <summary>Stops kube-apiserver and starts it again on the same port and etcd (watches see their connections drop).</summary>
    public async Task RestartApiServerAsync(TimeSpan? downtime = null)
    {
        await StopApiServerAsync();
        if (downtime is { } pause)
        {
            await Task.Delay(pause);
        }

        await StartApiServerAsync();
    }

    public async Task StopApiServerAsync()
    {
        if (apiServer is not null)
        {
            await apiServer.DisposeAsync();
            apiServer = null;
        }
    }

    public async Task StartApiServerAsync()
    {
        var staticTokenFile = Path.Combine(PkiFolder, "tokens.csv");
        if (!File.Exists(staticTokenFile))
        {
            var lines = new StringBuilder();
            lines.Append(CultureInfo.InvariantCulture, $"{AdminToken},{AdminUser},{AdminUser},\"system:masters\"\n");
            foreach (var (user, groups) in StaticUsers)
            {
                var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
                staticTokens[user] = token;
                lines.Append(CultureInfo.InvariantCulture, $"{token},{user},{user},\"{string.Join(',', groups)}\"\n");
            }

            await File.WriteAllTextAsync(staticTokenFile, lines.ToString());
        }

        var policy = Path.Combine(directory.Path, "audit-policy.yaml");
        // One line per request, written when the response completes; Metadata level has user, verb, object and status code.
        await File.WriteAllTextAsync(policy, "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived, ResponseStarted]\nrules:\n- level: Metadata\n");
        apiServer = EnvtestProcess.Start("kube-apiserver", EnvtestAssets.Binary("kube-apiserver"), Path.Combine(directory.Path, "kube-apiserver.log"),
        [
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", $"--secure-port={Port.ToString(CultureInfo.InvariantCulture)}",
            $"--etcd-servers=http://127.0.0.1:{etcdPort.ToString(CultureInfo.InvariantCulture)}",
            $"--tls-cert-file={pki.ServingCertificateFile}", $"--tls-private-key-file={pki.ServingKeyFile}", $"--client-ca-file={pki.CaFile}",
            $"--token-auth-file={staticTokenFile}", "--authorization-mode=RBAC",
            $"--service-account-key-file={pki.ServiceAccountPublicKeyFile}", $"--service-account-signing-key-file={pki.ServiceAccountKeyFile}",
            $"--service-account-issuer={DefaultAudience}", $"--api-audiences={DefaultAudience}",
            "--service-cluster-ip-range=10.0.0.0/24", "--endpoint-reconciler-type=none", "--allow-privileged=true", "--profiling=false",
            $"--audit-policy-file={policy}", $"--audit-log-path={Audit.Path}", "--audit-log-format=json", "--audit-log-mode=blocking", "--audit-log-maxsize=0",
            .. extraApiServerFlags,
        ]);
        await WaitUntilAsync(apiServer, async () =>
        {
            using var response = await Http.GetAsync("/readyz");
            return response.IsSuccessStatusCode;
        });
    }

    private async Task StartEtcdAsync()
    {
        etcdPort = HttpUpstream.FreePort();
        var peerPort = HttpUpstream.FreePort();
        var data = Path.Combine(directory.Path, "etcd");
        Directory.CreateDirectory(data);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var client = $"http://127.0.0.1:{etcdPort.ToString(CultureInfo.InvariantCulture)}";
        var peer = $"http://127.0.0.1:{peerPort.ToString(CultureInfo.InvariantCulture)}";
        etcd = EnvtestProcess.Start("etcd", EnvtestAssets.Binary("etcd"), Path.Combine(directory.Path, "etcd.log"),
        [
            "--name", "envtest", "--data-dir", data, "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", $"envtest={peer}",
            "--initial-cluster-state", "new",
            // A throwaway store: losing it in a crash costs nothing, and fsync would slow every write of every test.
            "--unsafe-no-fsync",
        ]);
        using var http = new HttpClient();
        await WaitUntilAsync(etcd, async () => (await http.GetStringAsync($"{client}/health")).Contains("\"health\":\"true\"", StringComparison.Ordinal));
    }

    private async Task InstallCrdsAsync()
    {
        var crds = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "crds"), "*.yaml");
        var kubeconfig = WriteKubeconfig(Path.Combine(directory.Path, "admin.kubeconfig"));
        var arguments = new List<string> { "--kubeconfig", kubeconfig, "apply", "--server-side" };
        foreach (var crd in crds)
        {
            arguments.Add("-f");
            arguments.Add(crd);
        }

        await RunKubectlAsync(arguments);
        await RunKubectlAsync(["--kubeconfig", kubeconfig, "wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"]);

        // Established is not yet servable: a fresh API server can answer 429 "storage is (re)initializing" to the first list of a
        // new kind. Each test should start from a server that lists every Packyard kind.
        foreach (var plural in crds.Select(f => Path.GetFileNameWithoutExtension(f).Split('_')[1]))
        {
            await WaitUntilAsync(apiServer!, async () =>
            {
                using var response = await Http.GetAsync($"/apis/packyard.io/v1alpha1/{plural}?limit=1");
                return response.IsSuccessStatusCode;
            });
        }
    }

    private static async Task RunKubectlAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(KubectlPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}{await output}");
        }
    }

    private string WriteKubeconfig(string path, string? @namespace, string userLines)
    {
        var namespaceLine = @namespace is null ? "" : $"    namespace: {@namespace}\n";
        var text =
            "apiVersion: v1\nkind: Config\nclusters:\n- name: envtest\n  cluster:\n" +
            $"    server: {Url}\n    certificate-authority-data: {Base64(CaPem)}\n" +
            $"users:\n- name: envtest-user\n  user:\n{userLines}" +
            $"contexts:\n- name: envtest\n  context:\n    cluster: envtest\n    user: envtest-user\n{namespaceLine}" +
            "current-context: envtest\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static async Task WaitUntilAsync(EnvtestProcess process, Func<Task<bool>> ready)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited at start (log {process.LogFile}):\n{process.Tail()}");
            }

            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                last = e;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{process.Name} not ready after 120 s ({last?.Message}); log {process.LogFile}:\n{process.Tail()}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { controllerManager, apiServer, etcd })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        controllerManager = apiServer = etcd = null;
        Http.Dispose();
        pki.Dispose();
        directory.Dispose();
    }
}
