using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Packyard.Controllers;
using Packyard.Engine.Catalog;
using Packyard.Engine.Database;
using Packyard.Engine.Secrets;
using Packyard.Engine.Tasks;
using Packyard.Server;
using Spectre.Console;

namespace Packyard.Hosting;

/// <summary>
/// The setup <c>packyard run</c> and <c>packyard operator</c> share: a private PostgreSQL unless a connection string is
/// given, the web host on <see cref="EngineHostOptions.Listen"/> with console logging, the engine with every content
/// type, the content app, the reconcilers' engine services (which queue tasks), the orphan cleanup scheduler and the idle memory trimmer. Callers add their controller, then build and migrate.
/// </summary>
public static class EngineHost
{
    /// <summary>The key file's name under the data directory when <c>--secret-key-file</c> is not given.</summary>
    public const string DefaultSecretKeyFile = "secret-key";

    public static async Task<(WebApplicationBuilder Builder, EmbeddedPostgres? Postgres)> CreateBuilderAsync(
        EngineHostOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        // Read first: a bad key file stops the start before anything (a private PostgreSQL) is running.
        var secrets = new SecretCipher(options.SecretKeyFile is { } keyFile
            ? SecretKeyFile.Read(keyFile)
            : SecretKeyFile.ReadOrCreate(Path.Combine(dataDirectory, DefaultSecretKeyFile)));
        EmbeddedPostgres? postgres = null;
        var connectionString = options.Database;
        if (connectionString is null)
        {
            Directory.CreateDirectory(dataDirectory);
            postgres = await EmbeddedPostgres.StartAsync(Path.Combine(dataDirectory, "postgres"), options.EmbeddedDatabase, cancellationToken);
            await postgres.CreateDatabaseAsync("packyard", cancellationToken);
            connectionString = postgres.ConnectionString("packyard");
            var durability = options.EmbeddedDatabase.Durable ? "" : " [red]without fsync (--unsafe-no-fsync: for tests only)[/]";
            var lifetime = options.KeepDatabase ? "keeps running after Packyard stops (--keep-database)" : "stops with Packyard";
            console.MarkupLine($"[grey]PostgreSQL[/] private cluster in {Markup.Escape(postgres.Directory)} on 127.0.0.1:{postgres.Port}{durability}; {lifetime}");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Packyard", options.LogLevel);
        builder.WebHost.UseUrls($"http://{options.Listen}");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

        var services = builder.Services;
        services.AddSingleton(secrets);
        services.AddPackyardEngine(connectionString, options.ArtifactStore ? options.Storage ?? Path.Combine(dataDirectory, "artifacts") : null);
        services.AddContentTypes();
        if (options.ContentApp)
        {
            services.AddPackyardContentApp();
        }

        services.AddSingleton(new ContentUrl(options.PublicUrl ?? $"http://{options.Listen}/"));
        services.TryAddSingleton(options.SyncRetry);
        // Both modes give the memory of a burst (a big index parsed) back once idle.
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<Operator.IdleMemoryTrimmer>(sp, new Operator.IdleMemoryTrimOptions()));
        services.AddSingleton<ReconcileServices>();
        services.AddSingleton(sp => new RepositoryFinalizer(sp.GetRequiredService<EngineCatalog>(), sp.GetRequiredService<IEventRecorder>(), options.DeletionGrace));
        // Every kind of engine work is a task for the worker role (in this process or another): syncs, publishes, promotions,
        // and orphan cleanup, queued at least every --orphan-cleanup-interval by every process (the database keeps one).
        services.TryAddSingleton<ISyncDispatcher, QueuedSyncDispatcher>();
        services.Replace(ServiceDescriptor.Singleton(new ReclaimOptions { Interval = options.OrphanCleanupInterval, Protection = options.OrphanCleanupInterval }));
        services.AddHostedService<ReclaimScheduler>();
        return (builder, postgres);
    }

    /// <summary>
    /// Registers the worker role: claims tasks of every kind and runs each with its kind's handler. Needs PostgreSQL and the
    /// artifact store, no Kubernetes access.
    /// </summary>
    public static void AddWorker(IServiceCollection services, TaskWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(options);
        services.AddSingleton(new Engine.Tasks.TaskProgressOptions { Interval = options.ProgressInterval });
        services.AddHostedService<TaskWorker>();
    }

    /// <summary>
    /// Runs the app until it stops (SIGTERM, Ctrl+C), then stops the private PostgreSQL unless <paramref name="keepDatabase"/>:
    /// last, after every request and reconcile has finished with it.
    /// </summary>
    public static async Task RunAsync(WebApplication app, EmbeddedPostgres? postgres, bool keepDatabase)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.RunAsync();
        }
        finally
        {
            if (postgres is not null && !keepDatabase)
            {
                await postgres.StopAsync();
            }
        }
    }

    /// <summary>Applies the database migrations (under the engine's advisory lock) before anything serves or reconciles.</summary>
    public static Task MigrateAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(cancellationToken);
    }
}
