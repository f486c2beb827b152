using Packyard.Api.Resources;
using Packyard.Engine.Database;
using Packyard.Engine.Publishing;
using Packyard.Engine.Sync;
using Packyard.Tests.Server;

namespace Packyard.Tests.Container;

/// <summary>The content app with container repositories: sync from a registry, publish, serve under /v2/&lt;basePath&gt;/.</summary>
public sealed class ContainerFixture : ContentAppFixture
{
    public sealed record ContainerRepository(long Id, string Name, string BasePath);

    /// <summary>A container repository served at a new base path with a slash in it (<c>ctr-…/app</c>).</summary>
    public async Task<ContainerRepository> ContainerRepositoryAsync()
    {
        var name = $"ctr-{Guid.NewGuid():N}";
        var id = await Catalog.EnsureRepositoryAsync("default", name, "container", CancellationToken.None);
        var basePath = $"{UniqueBasePath("ctr")}/app";
        await DistributeAsync(basePath, id);
        return new ContainerRepository(id, name, basePath);
    }

    /// <summary>Syncs <paramref name="registry"/> with the given <c>spec.container</c> JSON into the repository (Mirror) and publishes.</summary>
    public async Task<SyncOutcome> SyncAsync(ContainerRepository repository, Uri registry, string optionsJson,
        DownloadPolicy policy = DownloadPolicy.Immediate, Func<RemoteSettings, RemoteSettings>? change = null)
    {
        var (settings, remoteId) = await RemoteAsync($"remote-{repository.Name}", registry,
            s => (change ?? (x => x))(s with { Type = "container", TypeOptions = TypeOptionsJson.Read<RemoteTypeOptions>("container", optionsJson), Policy = policy }));
        var outcome = await Get<SyncService>().SyncAsync(new SyncRequest(repository.Id, repository.Name, remoteId, settings, SyncMode.Mirror), null, CancellationToken.None);
        await Get<PublicationService>().PublishAsync(repository.Id, repository.Name, "container", outcome.Version, PublishOptions.None, CancellationToken.None);
        Distributions.Invalidate();
        return outcome;
    }

    public async Task<long> LatestVersionAsync(long repositoryId)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ScalarAsync<long>("select coalesce(max(number), 0) from repository_versions where repository_id = $1", CancellationToken.None, repositoryId);
    }

    public async Task<long> ContentUnitCountAsync(string naturalKeyPrefix)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ScalarAsync<long>("select count(*) from content_units where type = 'container' and natural_key like $1 || '%'", CancellationToken.None, naturalKeyPrefix);
    }
}
