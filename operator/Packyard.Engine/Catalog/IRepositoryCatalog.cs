namespace Packyard.Engine.Catalog;

/// <summary>
/// What the controller role reads and ensures about repositories (implemented by <see cref="EngineCatalog"/>). The catalog ports
/// live in the engine, their owner, so that its classes implement them without adapters restating each method, and so that the
/// reconcilers depend on these few methods rather than the whole catalog (their step tests fake them without PostgreSQL).
/// </summary>
public interface IRepositoryCatalog
{
    /// <inheritdoc cref="EngineCatalog.AttachRepositoryAsync"/>
    Task<RepositoryAttachment> AttachRepositoryAsync(string ns, string name, string type, CancellationToken cancellationToken);

    /// <inheritdoc cref="EngineCatalog.SetUploadsEnabledAsync"/>
    Task SetUploadsEnabledAsync(long repositoryId, bool enabled, CancellationToken cancellationToken);

    /// <inheritdoc cref="EngineCatalog.FindRepositoryAsync"/>
    Task<long?> FindRepositoryAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="versionsToShow"/> versions (newest first) and the latest publication of the repository.</summary>
    Task<RepositoryState> GetRepositoryStateAsync(long repositoryId, int versionsToShow, CancellationToken cancellationToken);

    /// <inheritdoc cref="EngineCatalog.GetSyncStateAsync"/>
    Task<(string? Fingerprint, DateTimeOffset? LastStarted)> GetSyncStateAsync(long repositoryId, CancellationToken cancellationToken);

    /// <inheritdoc cref="EngineCatalog.IsPublishedAsync"/>
    Task<bool> IsPublishedAsync(long repositoryId, long version, string? optionsFingerprint, CancellationToken cancellationToken);
}
