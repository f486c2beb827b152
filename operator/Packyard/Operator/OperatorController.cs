using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Packyard.Controllers;
using Packyard.ControllerRuntime;
using Packyard.Server;

namespace Packyard.Operator;

/// <summary>
/// The controller role: campaigns for the Lease (unless leader election is off) and, while leading, runs a
/// <see cref="ControllerSession"/>. Losing the lease cancels the session's reconciles; shutdown (SIGTERM) stops taking
/// work, cancels in-flight reconciles and releases the lease so another replica takes over at once.
/// </summary>
public sealed class OperatorController(
    ResourceClient client,
    OperatorOptions options,
    LeaderElectionOptions election,
    ReconcileServices services,
    RepositoryFinalizer repositoryFinalizer,
    Engine.Versions.OrphanCleaner orphans,
    KubernetesEventRecorder events,
    OperatorMetrics metrics,
    ILoggerFactory loggers,
    DistributionCache? distributionCache = null) : BackgroundService, IRepositoryChangeNotifier
{
    private volatile ControllerSession? session;

    /// <summary>True while this replica leads and its caches have synced.</summary>
    public bool IsReconciling => session?.Cache.HasSynced == true;

    /// <summary>An upload in this process created a version: reconcile the Repository (publish) now.</summary>
    public void VersionCreated(string ns, string repository) => session?.Enqueue("Repository", ns, repository);

    /// <summary>Reconciles a resource now if this replica leads (a worker finished its task); a no-op otherwise.</summary>
    public void Requeue(string kind, string ns, string name) => session?.Enqueue(kind, ns, name);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.LeaderElect
        ? new LeaderElector(client.Kubernetes, election, loggers.CreateLogger<LeaderElector>()).RunAsync(LeadAsync, stoppingToken)
        : LeadAsync(stoppingToken);

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        using var current = new ControllerSession(client, options, services, repositoryFinalizer, orphans, metrics, distributionCache, loggers);
        session = current;
        metrics.Leading(true);
        metrics.TrackQueue(() => current.QueueDepth);
        events.UseUids(current.Cache.UidOf);
        try
        {
            await current.RunAsync(cancellationToken);
        }
        finally
        {
            session = null;
            metrics.Leading(false);
            metrics.TrackQueue(null);
            events.UseUids(null);
        }
    }
}
