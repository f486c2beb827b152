using Packyard.ControllerRuntime;

namespace Packyard.Verbs;

/// <summary>
/// Where a verb acts: a standalone Packyard (its HTTP API, <c>--server</c>, default http://127.0.0.1:8080) or a cluster (the
/// kubeconfig's API server, with Packyard's API at <c>--server</c> for what only the engine knows). <see cref="Namespace"/> null
/// means all namespaces (<c>-A</c>).
/// </summary>
internal sealed class VerbTarget(PackyardApi? api, ResourceClient? client, string? @namespace, string defaultNamespace) : IDisposable
{
    public PackyardApi? Api { get; } = api;

    /// <summary>The cluster's client; null against standalone.</summary>
    public ResourceClient? Client { get; } = client;

    public bool IsCluster => Client is not null;

    /// <summary>The namespace to list (null: all); a single resource is looked up in <see cref="SingleNamespace"/>.</summary>
    public string? Namespace { get; } = @namespace;

    public string SingleNamespace => Namespace ?? defaultNamespace;

    /// <summary>Packyard's API, or an error saying how a cluster user reaches it.</summary>
    public PackyardApi RequireApi(string verb) => Api ?? throw new VerbException(
        $"{verb} reads what only Packyard's engine knows: pass --server URL of Packyard's HTTP API (in a cluster, e.g. " +
        "`kubectl port-forward -n packyard-system svc/packyard-content 8080:80` and --server http://127.0.0.1:8080; the request carries your " +
        "kubeconfig's bearer token or --token, which must allow get repositories in the namespace)", 2);

    public void Dispose()
    {
        Api?.Dispose();
        Client?.Dispose();
    }
}
