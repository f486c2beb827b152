namespace Packyard.Engine.Catalog;

/// <summary>The Remote records the controller role keeps (implemented by <see cref="EngineCatalog"/>; see <see cref="IRepositoryCatalog"/>).</summary>
public interface IRemoteCatalog
{
    /// <summary>Saves the Remote's resolved settings (credentials encrypted); returns its id.</summary>
    Task<long> UpsertRemoteAsync(RemoteSettings remote, CancellationToken cancellationToken);

    Task DeleteRemoteAsync(string ns, string name, CancellationToken cancellationToken);
}
