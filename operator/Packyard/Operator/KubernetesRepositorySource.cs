using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Server;

namespace Packyard.Operator;

/// <summary>Reads a Repository from the API server (content replicas hold no informer cache).</summary>
public sealed class KubernetesRepositorySource(ResourceClient client) : IRepositorySource
{
    public async Task<Repository?> FindRepositoryAsync(string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.TryGetAsync(PackyardKinds.Repository, ns, name, cancellationToken);
        }
        catch (Exception e) when (e is KubernetesApiException or HttpRequestException)
        {
            throw new RepositorySourceUnavailableException($"cannot read Repository {ns}/{name} from the Kubernetes API: {e.Message}", e);
        }
    }
}
