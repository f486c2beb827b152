using Packyard.Engine.Catalog;
using Packyard.Engine.Publishing;

namespace Packyard.Tests.Controllers.Fakes;

/// <summary>
/// The catalog ports in memory, with EngineCatalog's rules that reconcilers rely on: attaching a repository of another type
/// throws, a detached one of the same type is restored, a base path belongs to one distribution.
/// </summary>
internal sealed class InMemoryCatalog : IRepositoryCatalog, IRemoteCatalog, IDistributionCatalog
{
    private long nextId = 100;

    public Dictionary<(string Namespace, string Name), StoredRepository> Repositories { get; } = [];

    /// <summary>Repositories detached by a deletion whose grace has not ended, by namespace and name.</summary>
    public Dictionary<(string Namespace, string Name), (StoredRepository Repository, DateTimeOffset Deleted)> Detached { get; } = [];

    public Dictionary<(string Namespace, string Name), (long Id, RemoteSettings Settings)> Remotes { get; } = [];

    public Dictionary<(string Namespace, string Name), DistributionRecord> Distributions { get; } = [];

    /// <summary>When set, reads of repository state throw it (the database went away).</summary>
    public Exception? Unavailable { get; set; }

    public StoredRepository Add(string ns, string name, string type, DateTimeOffset created)
    {
        var repository = new StoredRepository(nextId++, type);
        repository.AddVersion(created, 0, 0);
        Repositories[(ns, name)] = repository;
        return repository;
    }

    public StoredRepository Get(string ns, string name) => Repositories[(ns, name)];

    public Task<RepositoryAttachment> AttachRepositoryAsync(string ns, string name, string type, CancellationToken cancellationToken)
    {
        if (Repositories.TryGetValue((ns, name), out var live))
        {
            return live.Type == type
                ? Task.FromResult(new RepositoryAttachment(live.Id, null))
                : throw new InvalidOperationException($"repository {ns}/{name} exists with type {live.Type}, not {type}");
        }

        if (Detached.Remove((ns, name), out var kept) && kept.Repository.Type == type)
        {
            Repositories[(ns, name)] = kept.Repository;
            var versions = kept.Repository.Versions;
            return Task.FromResult(new RepositoryAttachment(kept.Repository.Id,
                new RestoredRepository(kept.Deleted, versions[^1].Number, versions[0].Number)));
        }

        return Task.FromResult(new RepositoryAttachment(Add(ns, name, type, DateTimeOffset.UnixEpoch).Id, null));
    }

    public Task SetUploadsEnabledAsync(long repositoryId, bool enabled, CancellationToken cancellationToken)
    {
        ById(repositoryId).UploadsEnabled = enabled;
        return Task.CompletedTask;
    }

    public Task<long?> FindRepositoryAsync(string ns, string name, CancellationToken cancellationToken) =>
        Task.FromResult(Repositories.TryGetValue((ns, name), out var repository) ? repository.Id : (long?)null);

    public Task<RepositoryState> GetRepositoryStateAsync(long repositoryId, int versionsToShow, CancellationToken cancellationToken)
    {
        if (Unavailable is { } down)
        {
            throw down;
        }

        var repository = ById(repositoryId);
        var newest = repository.Publications.OrderByDescending(p => p.Key)
            .Select(p => new PublicationInfo(p.Key, p.Value, repository.PublicationFingerprints.GetValueOrDefault(p.Key))).FirstOrDefault();
        return Task.FromResult(new RepositoryState([.. repository.Versions.Take(versionsToShow)], newest));
    }

    public Task<(string? Fingerprint, DateTimeOffset? LastStarted)> GetSyncStateAsync(long repositoryId, CancellationToken cancellationToken)
    {
        var repository = ById(repositoryId);
        return Task.FromResult((repository.SyncFingerprint, repository.LastSyncStarted));
    }

    public Task<bool> IsPublishedAsync(long repositoryId, long version, string? optionsFingerprint, CancellationToken cancellationToken) =>
        Task.FromResult(ById(repositoryId) is var repository && repository.Publications.ContainsKey(version)
            && PublishOptionsFingerprint.IsCurrent(repository.PublicationFingerprints.GetValueOrDefault(version), optionsFingerprint));

    public Task<long> UpsertRemoteAsync(RemoteSettings remote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var id = Remotes.TryGetValue((remote.Namespace, remote.Name), out var saved) ? saved.Id : nextId++;
        Remotes[(remote.Namespace, remote.Name)] = (id, remote);
        return Task.FromResult(id);
    }

    public Task DeleteRemoteAsync(string ns, string name, CancellationToken cancellationToken)
    {
        Remotes.Remove((ns, name));
        return Task.CompletedTask;
    }

    public Task UpsertDistributionAsync(DistributionRecord distribution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        if (Distributions.Values.FirstOrDefault(d => d.BasePath == distribution.BasePath && (d.Namespace, d.Name) != (distribution.Namespace, distribution.Name)) is { } other)
        {
            throw new BasePathConflictException($"base path {distribution.BasePath} is already served by Distribution {other.Namespace}/{other.Name}");
        }

        Distributions[(distribution.Namespace, distribution.Name)] = distribution;
        return Task.CompletedTask;
    }

    public Task DeleteDistributionAsync(string ns, string name, CancellationToken cancellationToken)
    {
        Distributions.Remove((ns, name));
        return Task.CompletedTask;
    }

    private StoredRepository ById(long id) => Repositories.Values.Single(r => r.Id == id);
}
