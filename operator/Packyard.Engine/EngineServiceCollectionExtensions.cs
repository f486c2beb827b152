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
    public static IServiceCollection AddPackyardEngine(this IServiceCollection services, string connectionString, string storage)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddArtifactStore(storage);
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
        services.TryAddSingleton(new OrphanCleanupOptions());
        services.TryAddSingleton<StoreSweeper>();
        services.TryAddSingleton<OrphanCleaner>();
        services.TryAddSingleton<Packyard.Engine.Tasks.TaskTracker>();
        services.TryAddSingleton<Packyard.Engine.Tasks.SyncTaskQueue>();
        services.TryAddSingleton<Packyard.Engine.Tasks.SyncExecutor>();
        return services;
    }
}
