using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Controllers;
using Packyard.Engine.Database;
using Packyard.Engine.Tasks;
using Packyard.Hosting;
using Packyard.Operator;
using Packyard.Runtime;
using Packyard.Server;
using Packyard.StatusPage;
using Spectre.Console;

namespace Packyard.Standalone;

/// <summary>
/// Builds standalone mode: a private PostgreSQL unless a connection string is given, migrations, the artifact store,
/// the engine, the content app on 127.0.0.1, and the manifests controller, in one process.
/// </summary>
public static class StandaloneHost
{
    public static async Task<(WebApplication App, EmbeddedPostgres? Postgres)> BuildAsync(StandaloneOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var (builder, postgres) = await EngineHost.CreateBuilderAsync(
            new EngineHostOptions
            {
                Database = options.Database, Storage = options.Storage, Listen = options.Listen, DataDirectory = dataDirectory, DeletionGrace = options.DeletionGrace, OrphanCleanupInterval = options.OrphanCleanupInterval, SecretKeyFile = options.SecretKeyFile,
                SyncRetry = options.SyncRetry,
                EmbeddedDatabase = options.EmbeddedDatabase, KeepDatabase = options.KeepDatabase,
                LogLevel = options.Verbose ? LogLevel.Information : LogLevel.Warning,
            },
            console, cancellationToken);
        var uploadToken = options.UploadToken ?? Environment.GetEnvironmentVariable("PACKYARD_UPLOAD_TOKEN") ?? await UploadTokenAsync(dataDirectory, cancellationToken);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(console);
        services.AddSingleton<ResourceSet>();
        services.AddSingleton<ConsoleReporter>();
        MetricsEndpoint.AddMetrics(services);
        services.AddSingleton<RecentEvents>();
        services.AddSingleton<IEventRecorder>(sp => sp.GetRequiredService<RecentEvents>());
        services.AddSingleton<IReadAuthorizer, AnyoneMayRead>();
        services.AddSingleton<StandaloneController>();
        services.AddHostedService(sp => sp.GetRequiredService<StandaloneController>());
        services.AddSingleton<IReconcileTrigger>(sp => sp.GetRequiredService<StandaloneController>());
        services.AddSingleton<IRepositoryChangeNotifier>(sp => sp.GetRequiredService<StandaloneController>());
        services.AddSingleton<IUploadAuthorizer>(new StaticTokenUploadAuthorizer(uploadToken));
        // The worker role runs in this process: syncs, publishes, promotions and orphan cleanup are tasks, as in operator mode;
        // a sync's progress goes to the console, and a finished task reconciles its resource at once.
        services.AddSingleton<ITaskProgressSink, ConsoleProgressSink>();
        EngineHost.AddWorker(services, new TaskWorkerOptions
        {
            Identity = $"{Environment.MachineName}/{Environment.ProcessId}", MaxAttempts = options.SyncRetry.MaxAttempts, ProgressInterval = options.ProgressInterval,
        });
        services.AddHostedService<TaskChangeListener>();
        services.AddSingleton<IRepositorySource>(sp => sp.GetRequiredService<ResourceSet>());
        services.AddStatusPage().AddSingleton<IStatusPageResources, StandaloneStatusPageResources>();

        var app = builder.Build();
        await EngineHost.MigrateAsync(app, cancellationToken);
        app.MapGet("/api/v1/resources", (ResourceSet resources) =>
            Results.Json(resources.Entries.Select(View).ToList(), StandaloneJsonContext.Default.ListResourceView));
        MetricsEndpoint.MapMetrics(app);
        MetricsEndpoint.CountServedBytes(app);
        app.MapGet("/api/v1/events", (RecentEvents events) => Results.Json(events.Snapshot(), Verbs.VerbsJsonContext.Default.ListEventView));
        app.MapPost("/api/v1/namespaces/{ns}/repositories/{name}/sync", RequestSync);
        app.MapReadEndpoints();
        app.UseStatusPage();
        app.UsePackyardContent();
        console.MarkupLine($"[grey]Uploads[/] need the token in {Markup.Escape(Path.Combine(dataDirectory, "upload-token"))} (or --upload-token)");
        return (app, postgres);
    }

    private static ResourceView View(ResourceEntry entry)
    {
        var status = entry.Resource is { } resource ? KindRegistry.Of(resource).View(resource) : new ResourceStatusView(null, null, null, null);
        return new ResourceView(entry.Key.Kind, entry.Key.Namespace, entry.Key.Name, entry.Generation, entry.Error, status) { File = entry.File, Line = entry.Line };
    }

    /// <summary>
    /// <c>packyard sync REPO</c> against standalone: sets <c>packyard.io/requested-at</c> on the Repository as read from the
    /// manifests (in memory, as kubectl would in a cluster) and reconciles it, which queues the sync.
    /// </summary>
    private static IResult RequestSync(string ns, string name, ResourceSet resources, IReconcileTrigger trigger, TimeProvider time)
    {
        if (resources.Get(new ResourceKey(KindNames.Repository, ns, name)) is not { Resource: Api.Resources.Repository repository })
        {
            var known = resources.Entries.Where(e => e.Key.Kind == KindNames.Repository && e.Key.Namespace == ns).Select(e => e.Key.Name);
            return ReadEndpoints.Error(StatusCodes.Status404NotFound, $"repository {ns}/{name} not found{Manifests.Suggestions.DidYouMean(name, known)}");
        }

        var requested = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        lock (repository)
        {
            var annotations = new Dictionary<string, string>(repository.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [Api.Schema.PackyardGroup.RequestedAtAnnotation] = requested,
            };
            repository.Metadata.Annotations = annotations;
        }

        trigger.Enqueue(KindNames.Repository, ns, name);
        return Results.Json(new Verbs.SyncRequested(ns, name, requested), Verbs.VerbsJsonContext.Default.SyncRequested, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<string> UploadTokenAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, "upload-token");
        if (File.Exists(path))
        {
            return (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        }

        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        await File.WriteAllTextAsync(path, token + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return token;
    }
}
