namespace Packyard.Engine.Catalog;

/// <summary>The Distribution records the controller role keeps (implemented by <see cref="EngineCatalog"/>; see <see cref="IRepositoryCatalog"/>).</summary>
public interface IDistributionCatalog
{
    /// <inheritdoc cref="EngineCatalog.UpsertDistributionAsync"/>
    Task UpsertDistributionAsync(DistributionRecord distribution, CancellationToken cancellationToken);

    Task DeleteDistributionAsync(string ns, string name, CancellationToken cancellationToken);
}
