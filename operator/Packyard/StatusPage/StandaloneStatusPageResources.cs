using Packyard.Standalone;

namespace Packyard.StatusPage;

/// <summary>The resources of the manifests folder, with the status standalone mode keeps for them.</summary>
public sealed class StandaloneStatusPageResources(ResourceSet resources) : IStatusPageResources
{
    public Task<IReadOnlyList<PageResource>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PageResource>>([.. resources.Entries
            .Where(entry => entry.Resource is not null)
            .Select(entry => new PageResource(entry.Key.Kind, entry.Key.Namespace, entry.Key.Name, entry.Resource!, entry.Error))]);
}
