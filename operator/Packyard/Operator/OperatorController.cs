using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Packyard.Controllers;
using Packyard.ControllerRuntime;
using Packyard.Runtime;
using Packyard.Server;

namespace Packyard.Operator;

/// <summary>
/// The controller role: campaigns for the Lease (unless leader election is off) and, while leading, runs the shared
/// <see cref="ResourceController"/> on the Kubernetes watches (<see cref="ResourceCache"/>) with status on the status subresource
/// (<see cref="KubernetesStatusSink"/>). Losing the lease cancels the term's reconciles; shutdown (SIGTERM) stops taking work,
/// cancels in-flight reconciles and releases the lease so another replica takes over at once.
/// </summary>
public sealed class OperatorController(
    ResourceClient client,
    OperatorOptions options,
    LeaderElectionOptions election,
    ReconcileServices services,
    RepositoryFinalizer repositoryFinalizer,
    KubernetesEventRecorder events,
    OperatorMetrics metrics,
    ILoggerFactory loggers,
    DistributionCache? distributionCache = null) : BackgroundService, IRepositoryChangeNotifier
{
    private volatile Term? term;

    /// <summary>True while this replica leads and its caches have synced.</summary>
    public bool IsReconciling => term?.Cache.HasSynced == true;

    /// <summary>An upload in this process created a version: reconcile the Repository (publish) now.</summary>
    public void VersionCreated(string ns, string repository) => Requeue(KindNames.Repository, ns, repository);

    /// <summary>Reconciles a resource now if this replica leads (a worker finished its task); a no-op otherwise.</summary>
    public void Requeue(string kind, string ns, string name) => term?.Controller.Enqueue(kind, ns, name);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.LeaderElect
        ? new LeaderElector(client.Kubernetes, election, loggers.CreateLogger<LeaderElector>()).RunAsync(LeadAsync, stoppingToken)
        : LeadAsync(stoppingToken);

    /// <summary>One leadership term: fresh caches and a fresh queue, reconciling until the term ends.</summary>
    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        var cache = new ResourceCache(client, options.Namespace, loggers);
        var sink = new KubernetesStatusSink(client, cache, metrics, loggers.CreateLogger<OperatorController>());
        using var controller = new ResourceController(cache, sink, services, repositoryFinalizer, distributionCache,
            new RuntimeOptions { Concurrency = options.Concurrency, Resync = options.Resync }, loggers.CreateLogger<ResourceController>());
        term = new Term(cache, controller);
        metrics.Leading(true);
        metrics.TrackQueue(() => controller.QueueDepth);
        events.UseUids(cache.UidOf);
        try
        {
            await controller.RunAsync(cancellationToken);
        }
        finally
        {
            term = null;
            metrics.Leading(false);
            metrics.TrackQueue(null);
            events.UseUids(null);
        }
    }

    private sealed record Term(ResourceCache Cache, ResourceController Controller);
}
