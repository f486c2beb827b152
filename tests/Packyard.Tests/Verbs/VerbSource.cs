using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;
using Packyard.Tests.Kubernetes.Operator;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Verbs;

/// <summary>
/// Where the verbs act in a test: a real standalone <c>packyard run</c> on a folder of manifests, or the real API server with a
/// real <c>packyard operator</c> (its content service as <c>--server</c>, with the token of a ServiceAccount allowed to get
/// repositories). Both hold the same resources: Remote <c>up</c> (an HTTP upstream), Repository <c>mirror</c> (Mirror),
/// Distribution <c>mirror</c>, Repository <c>target</c> and Promotion <c>release</c> (mirror → target).
/// </summary>
public sealed class VerbSource : IAsyncDisposable
{
    private readonly TemporaryDirectory directory = new();
    private PackyardProcess? packyard;
    private OperatorCluster? cluster;
    private string? token;

    private VerbSource(string kind, HttpUpstream upstream, FileUpstream files)
    {
        Kind = kind;
        Upstream = upstream;
        Files = files;
    }

    /// <summary>standalone or cluster.</summary>
    public string Kind { get; }

    public HttpUpstream Upstream { get; }

    /// <summary>The upstream's folder: change it and <see cref="FileUpstream.WriteManifest"/> for a new upstream state.</summary>
    public FileUpstream Files { get; }

    public PackyardProcess Packyard => packyard!;

    public OperatorCluster? Cluster => cluster;

    /// <summary>The manifests file (standalone).</summary>
    public string ManifestFile => Path.Combine(directory.Path, "manifests", "resources.yaml");

    public static async Task<VerbSource> StartAsync(string kind, string name, params string[] upstreamFiles)
    {
        var files = new FileUpstream();
        foreach (var file in upstreamFiles)
        {
            files.Put(file, $"content of {file}\n");
        }

        files.WriteManifest();
        var source = new VerbSource(kind, await HttpUpstream.StartAsync(files.Path), files);
        if (kind == "standalone")
        {
            Directory.CreateDirectory(Path.Combine(source.directory.Path, "manifests"));
            Directory.CreateDirectory(Path.Combine(source.directory.Path, "data"));
            await File.WriteAllTextAsync(source.ManifestFile, source.Manifests(withNamespace: true));
            source.packyard = PackyardProcess.Start(Path.Combine(source.directory.Path, "manifests"), Path.Combine(source.directory.Path, "data"),
                await PostgresCluster.CreateDatabaseAsync(name));
        }
        else
        {
            source.cluster = await OperatorCluster.StartAsync(name);
            var manifests = Path.Combine(source.directory.Path, "resources.yaml");
            await File.WriteAllTextAsync(manifests, source.Manifests(withNamespace: false));
            await source.cluster.Kubectl.SucceedAsync("apply", "-f", manifests);
            await source.cluster.Kubectl.SucceedAsync("create", "role", "repository-reader", "--verb=get,list", "--resource=repositories.packyard.io");
            await source.cluster.Kubectl.SucceedAsync("create", "serviceaccount", "reader");
            await source.cluster.Kubectl.SucceedAsync("create", "rolebinding", "reader", "--role=repository-reader", $"--serviceaccount={source.cluster.Namespace}:reader");
            source.token = (await source.cluster.Kubectl.SucceedAsync("create", "token", "reader")).Trim();
            source.packyard = source.cluster.StartOperator("op");
        }

        return source;
    }

    /// <summary>The options that point a verb at this source.</summary>
    public IReadOnlyList<string> Target => cluster is null
        ? ["--server", Packyard.BaseUrl.ToString()]
        : ["--kubeconfig", cluster.Kubectl.Kubeconfig, "-n", cluster.Namespace, "--server", Packyard.BaseUrl.ToString(), "--token", token!];

    /// <summary>The bearer token of the ServiceAccount allowed to get repositories (cluster).</summary>
    public string? Token => token;

    /// <summary>Runs <c>packyard VERB ARGS</c> with <see cref="Target"/>; stdout and stderr apart.</summary>
    public Task<VerbResult> RunAsync(params string[] arguments) => RunPackyardAsync([.. arguments, .. Target]);

    /// <summary>Runs the real packyard.dll with exactly <paramref name="arguments"/>.</summary>
    public static async Task<VerbResult> RunPackyardAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? fileName = null)
    {
        var start = new ProcessStartInfo(fileName ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (fileName is null)
        {
            start.ArgumentList.Add(PackyardProcess.Dll);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["COLUMNS"] = "";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new VerbResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The status of a resource as its source reports it, or null while there is none.</summary>
    public async Task<JsonNode?> StatusAsync(string kind, string name)
    {
        if (cluster is null)
        {
            return await Packyard.TryGetResourcesAsync() is { } resources ? new ResourceSnapshot(resources).Status(kind, name) : null;
        }

        var result = await cluster.Kubectl.RunAsync("get", kind.ToLowerInvariant(), name, "-o", "json");
        return result.ExitCode == 0 ? JsonNode.Parse(result.Output)?["status"] : null;
    }

    /// <summary>Waits (bounded) until the status of a resource satisfies <paramref name="predicate"/>.</summary>
    public async Task<JsonNode> WaitForStatusAsync(string what, string kind, string name, Func<JsonNode, bool> predicate, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        JsonNode? last = null;
        while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(90)))
        {
            last = await StatusAsync(kind, name) ?? last;
            if (last is not null && predicate(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{Kind}: not within the limit: {what}. Last status: {last?.ToJsonString()}\nOutput:\n{Packyard.Output}");
    }

    public static bool IsReady(JsonNode status) =>
        status["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true;

    private string Manifests(bool withNamespace)
    {
        var ns = withNamespace ? ", namespace: default" : "";
        return $$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: up{{{ns}}}}
            spec: {type: file, url: "{{{Upstream.Url}}}", policy: Immediate}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: mirror{{{ns}}}}
            spec:
              type: file
              remoteRef: {name: up}
              sync: {mode: Mirror}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: mirror{{{ns}}}}
            spec: {basePath: files/mirror, repositoryRef: {name: mirror}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: target{{{ns}}}}
            spec: {type: file}
            ---
            # The release train: bump sourceVersion to move it.
            apiVersion: packyard.io/v1alpha1
            kind: Promotion
            metadata: {name: release{{{ns}}}}
            spec:
              sourceRef: {name: mirror}   # what was tested
              targetRef: {name: target}
              mode: Replace

            """;
    }

    public async ValueTask DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
        else if (packyard is not null)
        {
            await packyard.DisposeAsync();
        }

        await Upstream.DisposeAsync();
        Files.Dispose();
        directory.Dispose();
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
