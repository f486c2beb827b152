using Packyard.Api.Resources;
using Packyard.Controllers;

namespace Packyard.Tests.Controllers.Fakes;

/// <summary>The resources and Secrets reconcilers look up, and the reconciles they ask for.</summary>
internal sealed class InMemoryResources : IResourceLookup, IReconcileTrigger
{
    private readonly Dictionary<(string Namespace, string Name), Remote> remotes = [];
    private readonly Dictionary<(string Namespace, string Name), Repository> repositories = [];
    private readonly Dictionary<(string Namespace, string Name), Secret> secrets = [];
    private readonly List<Distribution> distributions = [];

    /// <summary>The reconciles asked for through <see cref="IReconcileTrigger"/>: kind and namespace/name.</summary>
    public List<(string Kind, string Name)> Triggered { get; } = [];

    public IEnumerable<Distribution> Distributions => distributions;

    public Remote Add(Remote remote) => remotes[(remote.Namespace, remote.Name)] = remote;

    public Repository Add(Repository repository) => repositories[(repository.Namespace, repository.Name)] = repository;

    public Distribution Add(Distribution distribution)
    {
        distributions.Add(distribution);
        return distribution;
    }

    public Secret AddSecret(string name, Dictionary<string, string> entries)
    {
        var secret = new Secret { Metadata = new() { Name = name, NamespaceProperty = "default" }, StringData = entries };
        return secrets[("default", name)] = secret;
    }

    public Remote? GetRemote(string ns, string name) => remotes.GetValueOrDefault((ns, name));

    public Repository? GetRepository(string ns, string name) => repositories.GetValueOrDefault((ns, name));

    public Secret? GetSecret(string ns, string name) => secrets.GetValueOrDefault((ns, name));

    public void Enqueue(string kind, string ns, string name) => Triggered.Add((kind, $"{ns}/{name}"));
}
