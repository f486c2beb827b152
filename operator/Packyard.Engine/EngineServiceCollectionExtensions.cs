using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Packyard.Engine.Catalog;
using Packyard.Engine.Database;
using Packyard.Engine.Downloads;
using Packyard.Engine.Promotions;
using Packyard.Engine.Publishing;
using Packyard.Engine.Sync;
using Packyard.Engine.Versions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the engine: PostgreSQL data source, migrations, artifact store, downloads, sync, versions, publications.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine on <paramref name="connectionString"/> and the artifact store <paramref name="storage"/>; null
    /// registers <see cref="Packyard.Engine.Storage.NoArtifactStore"/> (a controller-only process, which only queues tasks).
    /// </summary>
    public static IServiceCollection AddPackyardEngine(this IServiceCollection services, string connectionString, string? storage)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        if (storage is null)
        {
            services.TryAddSingleton<Packyard.Engine.Storage.IArtifactStore, Packyard.Engine.Storage.NoArtifactStore>();
        }
        else
        {
            services.AddArtifactStore(storage);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MigrationRunner>();
        services.TryAddSingleton(new RetryOptions());
        services.TryAddSingleton(new SyncLimits());
        services.TryAddSingleton<UpstreamClientFactory>();
        services.TryAddSingleton<ContentTypeRegistry>();
        services.TryAddSingleton<EngineCatalog>();
        services.TryAddSingleton<SyncService>();
        services.TryAddSingleton<PublicationService>();
        services.TryAddSingleton<VersionPruner>();
        services.TryAddSingleton<PromotionService>();
        services.TryAddSingleton<UploadService>();
        services.TryAddSingleton<PushService>();
        services.TryAddSingleton(new OrphanCleanupOptions());
        services.TryAddSingleton<StoreSweeper>();
        services.TryAddSingleton<Packyard.Engine.History.RepositoryHistory>();
        services.TryAddSingleton<OrphanCleaner>();
        services.TryAddSingleton<Packyard.Engine.Tasks.SyncTaskQueue>();
        services.TryAddSingleton<Packyard.Engine.Tasks.TaskQueue>();
        services.TryAddSingleton<Packyard.Engine.Tasks.SyncExecutor>();
        services.TryAddSingleton<Packyard.Engine.Tasks.VersionPublisher>();
        services.TryAddSingleton(new Packyard.Engine.Tasks.ReclaimOptions());
        services.TryAddSingleton(new Packyard.Engine.Tasks.TaskProgressOptions());
        services.TryAddSingleton<Packyard.Engine.Tasks.TaskProgressStore>();
        // What the controller role calls, as the ports its reconcilers take.
        services.TryAddSingleton<IRepositoryCatalog>(sp => sp.GetRequiredService<EngineCatalog>());
        services.TryAddSingleton<IRemoteCatalog>(sp => sp.GetRequiredService<EngineCatalog>());
        services.TryAddSingleton<IDistributionCatalog>(sp => sp.GetRequiredService<EngineCatalog>());
        services.TryAddSingleton<Packyard.Engine.Tasks.IPublishTasks>(sp => sp.GetRequiredService<Packyard.Engine.Tasks.TaskQueue>());
        services.TryAddSingleton<Packyard.Engine.Tasks.IPromoteTasks>(sp => sp.GetRequiredService<Packyard.Engine.Tasks.TaskQueue>());
        services.TryAddSingleton<IVersionPruner>(sp => sp.GetRequiredService<VersionPruner>());
        // What a worker runs, one handler per kind of task.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Packyard.Engine.Tasks.ITaskHandler, Packyard.Engine.Tasks.SyncTaskHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Packyard.Engine.Tasks.ITaskHandler, Packyard.Engine.Tasks.PublishTaskHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Packyard.Engine.Tasks.ITaskHandler, Packyard.Engine.Tasks.PromoteTaskHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Packyard.Engine.Tasks.ITaskHandler, Packyard.Engine.Tasks.ReclaimTaskHandler>());
        return services;
    }
}
