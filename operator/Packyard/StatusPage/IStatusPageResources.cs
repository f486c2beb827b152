namespace Packyard.StatusPage;

/// <summary>Where the status page reads the resources from: the manifests folder standalone, the API server in a cluster.</summary>
public interface IStatusPageResources
{
    Task<IReadOnlyList<PageResource>> ListAsync(CancellationToken cancellationToken);
}
