using System.CommandLine;
using Packyard.ControllerRuntime;
using Packyard.Operator;

namespace Packyard.Verbs;

/// <summary>
/// The options every verb shares: where it acts (standalone's <c>--server</c>, or a cluster through <c>--kubeconfig</c> /
/// <c>--cluster</c>, the default when run as the kubectl plugin), <c>-n</c>, <c>-A</c>, <c>-o table|json|yaml</c>, <c>--token</c>.
/// </summary>
internal sealed class VerbOptions(bool clusterByDefault)
{
    /// <summary>Where <c>packyard run</c> listens by default.</summary>
    public const string DefaultServer = "http://127.0.0.1:8080";

    public Option<string?> Server { get; } = new("--server") { Description = $"Packyard's HTTP API: a standalone `packyard run` (default {DefaultServer}) or, with a cluster, the operator's content service (for versions, diff and logs)." };

    public Option<bool> Cluster { get; } = new("--cluster") { Description = "Act on the cluster of the kubeconfig (the default as `kubectl packyard`)." };

    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "Kubeconfig file (implies --cluster); default $KUBECONFIG or ~/.kube/config." };

    public Option<string?> Namespace { get; } = new("--namespace", "-n") { Description = "Namespace; default: the kubeconfig's, or 'default'." };

    public Option<bool> AllNamespaces { get; } = new("--all-namespaces", "-A") { Description = "List across all namespaces." };

    public Option<string> Output { get; } = CreateOutput();

    public Option<string?> Token { get; } = new("--token") { Description = "Bearer token for Packyard's API in a cluster; default: the kubeconfig user's token." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Server, Cluster, Kubeconfig, Namespace, AllNamespaces, Output, Token })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The target the parsed options name.</summary>
    public VerbTarget Resolve(ParseResult parse)
    {
        var server = parse.GetValue(Server);
        var kubeconfig = parse.GetValue(Kubeconfig);
        var cluster = clusterByDefault || parse.GetValue(Cluster) || kubeconfig is not null;
        var all = parse.GetValue(AllNamespaces);
        var ns = parse.GetValue(Namespace);
        if (!cluster)
        {
            var api = new PackyardApi(ServerUri(server ?? Environment.GetEnvironmentVariable("PACKYARD_SERVER") ?? DefaultServer), parse.GetValue(Token));
            return new VerbTarget(api, null, all ? null : ns, ns ?? "default");
        }

        k8s.KubernetesClientConfiguration configuration;
        try
        {
            configuration = OperatorHost.LoadConfiguration(kubeconfig);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new VerbException($"no cluster: {e.Message} (--kubeconfig FILE, or --server URL for a standalone Packyard)", 2);
        }

        var defaultNamespace = ns ?? (string.IsNullOrEmpty(configuration.Namespace) ? "default" : configuration.Namespace);
        var token = parse.GetValue(Token) ?? configuration.AccessToken;
        return new VerbTarget(server is null ? null : new PackyardApi(ServerUri(server), token), ResourceClient.Create(configuration),
            all ? null : defaultNamespace, defaultNamespace);
    }

    private static Uri ServerUri(string server)
    {
        var text = server.Contains("://", StringComparison.Ordinal) ? server : "http://" + server;
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new VerbException($"--server: '{server}' is not an http(s) URL", 2);
        }

        return uri;
    }

    private static Option<string> CreateOutput()
    {
        var output = new Option<string>("--output", "-o") { Description = "table, json or yaml.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json", "yaml");
        return output;
    }
}
