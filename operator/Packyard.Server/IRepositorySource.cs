using Packyard.Api.Resources;

namespace Packyard.Server;

/// <summary>
/// Reads a Repository from where it is declared (the manifests folder standalone, the API server in a cluster), for the
/// upload endpoint's checks that depend on the spec rather than on what the database holds.
/// </summary>
public interface IRepositorySource
{
    /// <summary>The Repository, or null when none is declared with that name.</summary>
    /// <exception cref="RepositorySourceUnavailableException">The source cannot be read now.</exception>
    Task<Repository?> FindRepositoryAsync(string ns, string name, CancellationToken cancellationToken);
}
