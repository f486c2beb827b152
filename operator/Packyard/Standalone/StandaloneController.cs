using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Packyard.Controllers;
using Packyard.Operator;
using Packyard.Runtime;
using Packyard.Server;

namespace Packyard.Standalone;

/// <summary>
/// Standalone mode's controller: the shared <see cref="ResourceController"/> on the manifests folder (<see cref="ManifestFolderSource"/>)
/// with status on the console and <c>/api/v1/resources</c> (<see cref="ConsoleStatusSink"/>).
/// </summary>
public sealed class StandaloneController : BackgroundService, IReconcileTrigger, IRepositoryChangeNotifier
{
    /// <summary>The first retry's delay after a failed reconcile (then 4 s, 8 s, … up to 5 minutes).</summary>
    private static readonly TimeSpan RetryBaseDelay = TimeSpan.FromSeconds(2);

    private readonly ResourceController controller;

    public StandaloneController(
        StandaloneOptions options, ResourceSet resources, ReconcileServices services, ConsoleReporter reporter, DistributionCache distributionCache,
        RepositoryFinalizer repositoryFinalizer, OperatorMetrics metrics, ILogger<StandaloneController> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        var source = new ManifestFolderSource(options, resources, services, reporter);
        controller = new ResourceController(source, new ConsoleStatusSink(source, resources, reporter, metrics), services, repositoryFinalizer, distributionCache,
            new RuntimeOptions { Concurrency = options.Workers, Resync = options.Interval, RetryBaseDelay = RetryBaseDelay }, logger);
        metrics.TrackQueue(() => controller.QueueDepth);
    }

    public int QueueDepth => controller.QueueDepth;

    public void Enqueue(string kind, string ns, string name) => controller.Enqueue(kind, ns, name);

    public void VersionCreated(string ns, string repository) => controller.Enqueue(KindNames.Repository, ns, repository);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => controller.RunAsync(stoppingToken);

    public override void Dispose()
    {
        controller.Dispose();
        base.Dispose();
    }
}
