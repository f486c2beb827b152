using Packyard.Api.Resources;

namespace Packyard.Controllers;

/// <summary>Reads the resources and Secrets reconcilers refer to (manifests standalone, the informer cache in a cluster).</summary>
public interface IResourceLookup
{
    Remote? GetRemote(string ns, string name);

    Repository? GetRepository(string ns, string name);

    Secret? GetSecret(string ns, string name);

    IEnumerable<Distribution> Distributions { get; }
}
