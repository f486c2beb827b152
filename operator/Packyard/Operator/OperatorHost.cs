using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Controllers;
using Packyard.Engine.Database;
using Packyard.Hosting;
using Packyard.ControllerRuntime;
using Packyard.Server;
using Packyard.Standalone;
using Packyard.StatusPage;
using Spectre.Console;

namespace Packyard.Operator;

/// <summary>
/// Builds <c>packyard operator</c>: the engine host shared with standalone mode, the Kubernetes client (controller, content),
/// and per role the leader-elected controllers (controller), the task worker (worker) and the content app (content);
/// <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c> whatever the roles.
/// </summary>
public static class OperatorHost
{
    public static async Task<(WebApplication App, EmbeddedPostgres? Postgres)> BuildAsync(
        OperatorOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        // A worker alone talks only to PostgreSQL and the artifact store: it reads no kubeconfig and needs no Kubernetes access.
        var configuration = options.Roles.Controller || options.Roles.Content ? LoadConfiguration(options.Kubeconfig) : null;
        var identity = options.Identity ?? Environment.GetEnvironmentVariable("POD_NAME") ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        var (builder, postgres) = await EngineHost.CreateBuilderAsync(options.Engine with { ContentApp = options.Roles.Content, ArtifactStore = options.Roles.Worker || options.Roles.Content }, console, cancellationToken);
        var services = builder.Services;
        services.AddSingleton(options);
        MetricsEndpoint.AddMetrics(services);
        if (configuration is not null)
        {
            AddKubernetes(services, options, configuration, identity);
        }

        var ui = options.Ui && options.Roles.Content;
        if (ui)
        {
            services.AddStatusPage().AddSingleton<IStatusPageResources, KubernetesStatusPageResources>();
        }

        if (options.Roles.Worker)
        {
            services.AddSingleton<Engine.Tasks.ITaskProgressSink, MeteredProgressSink>();
            EngineHost.AddWorker(services, new TaskWorkerOptions
            {
                Identity = identity, Concurrency = options.WorkerConcurrency, Heartbeat = options.TaskHeartbeat, StaleAfter = options.TaskTimeout,
                MaxAttempts = options.Engine.SyncRetry.MaxAttempts, ProgressInterval = options.ProgressInterval,
            });
        }

        var app = builder.Build();
        await EngineHost.MigrateAsync(app, cancellationToken);
        MetricsEndpoint.MapMetrics(app);
        if (options.Roles.Content)
        {
            MetricsEndpoint.CountServedBytes(app);
            app.MapReadEndpoints();
            if (ui)
            {
                app.UseStatusPage();
            }

            app.UsePackyardContent();
        }
        else
        {
            app.MapMethods("/healthz", ["GET", "HEAD"], () => Results.Text("ok\n"));
            app.MapMethods("/readyz", ["GET", "HEAD"], ReadyAsync);
        }

        OperatorLog.OperatorStarted(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Packyard.Operator"),
            identity, options.Roles.ToString(), configuration?.Host ?? "(none: worker only)", options.Namespace ?? "(all)");
        return (app, postgres);
    }

    /// <summary>The Kubernetes side: client, events, the leader-elected controllers (which queue syncs for workers), uploads' authorisation.</summary>
    private static void AddKubernetes(IServiceCollection services, OperatorOptions options, KubernetesClientConfiguration configuration, string identity)
    {
        services.AddSingleton(new LeaderElectionOptions
        {
            LeaseName = options.LeaseName,
            Namespace = options.LeaseNamespace ?? Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? configuration.Namespace ?? "default",
            Identity = identity,
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
        });
        // The library's client owns transport and credentials; the runtime's resource client sends Packyard's kinds through it.
        services.AddSingleton(_ => new Kubernetes(configuration));
        services.AddSingleton<IKubernetes>(sp => sp.GetRequiredService<Kubernetes>());
        services.AddSingleton(sp => new ResourceClient(sp.GetRequiredService<Kubernetes>(), sp.GetRequiredService<ILogger<ResourceClient>>()));
        services.AddSingleton(sp => new EventRecorder(
            sp.GetRequiredService<IKubernetes>(), KubernetesEventRecorder.Component, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EventRecorder>>()));
        services.AddHostedService(sp => sp.GetRequiredService<EventRecorder>());
        services.AddSingleton<KubernetesEventRecorder>();
        services.AddSingleton<IEventRecorder>(sp => sp.GetRequiredService<KubernetesEventRecorder>());
        if (options.Roles.Controller)
        {
            // Engine work is tasks in PostgreSQL for the worker role (in this process by default, or separate worker replicas);
            // a task's change reconciles its resource through the leader's controller.
            services.AddSingleton<OperatorController>();
            services.AddSingleton<IReconcileTrigger, OperatorReconcileTrigger>();
            services.AddHostedService(sp => sp.GetRequiredService<OperatorController>());
            services.AddSingleton<IRepositoryChangeNotifier>(sp => sp.GetRequiredService<OperatorController>());
            services.AddHostedService<TaskChangeListener>();
        }
        else
        {
            services.AddSingleton<IRepositoryChangeNotifier, RequestedAtChangeNotifier>();
        }

        services.AddSingleton<IRepositorySource, KubernetesRepositorySource>();
        services.AddSingleton<IReadAuthorizer, Authorization.KubernetesReadAuthorizer>();

        // In a cluster, uploads are authorised by the API server (TokenReview + SubjectAccessReview on
        // repositories/content); --upload-token replaces that with one shared token, as in standalone mode.
        if (options.UploadToken is { } token)
        {
            services.AddSingleton<IUploadAuthorizer>(new StaticTokenUploadAuthorizer(token));
        }
        else
        {
            services.AddKubernetesUploadAuthorization();
        }
    }

    /// <summary>
    /// --kubeconfig, else $KUBECONFIG or ~/.kube/config when present, else the in-cluster service account (all read by the
    /// KubernetesClient library: its current context, exec plugins, client certificates, proxy-url and tls-server-name).
    /// </summary>
    internal static KubernetesClientConfiguration LoadConfiguration(string? kubeconfig)
    {
        var configuration = Read(kubeconfig);
        // HTTP/2 pings on open requests and recycled connections, so a watch on a connection that died silently (a node
        // or load balancer gone) fails within a minute instead of waiting for the watch's idle timeout.
        var setup = configuration.FirstMessageHandlerSetup;
        configuration.FirstMessageHandlerSetup = handler =>
        {
            setup?.Invoke(handler);
            handler.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(30);
            handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests;
            handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
        };
        return configuration;

        static KubernetesClientConfiguration Read(string? kubeconfig)
        {
            if (kubeconfig is not null)
            {
                return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            }

            var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG");
            var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                // The library merges the files KUBECONFIG lists, as kubectl does.
                return KubernetesClientConfiguration.BuildDefaultConfig();
            }

            return File.Exists(home)
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(home)
                : KubernetesClientConfiguration.InClusterConfig();
        }
    }

    private static async Task<IResult> ReadyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (NpgsqlException e)
        {
            return Results.Text($"database unavailable: {e.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Text("ok\n");
    }
}
