using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.Controllers;
using Packyard.Engine.Versions;
using Packyard.ControllerRuntime;
using Packyard.Server;

namespace Packyard.Operator;

/// <summary>
/// The controllers for one leadership term: the informer caches, one work queue for the four kinds with per-key dedup and
/// backoff, bounded concurrent reconciles, related-kind watches, requeue-after and a periodic resync. A status-only change
/// of an object (our own status patches) does not reconcile it again; a change of generation, of the
/// <c>packyard.io/requested-at</c> annotation, of deletion or finalizers does.
/// </summary>
public sealed partial class ControllerSession : IReconcileTrigger, IDisposable
{
    private readonly ResourceClient client;
    private readonly StatusPatcher statusPatcher;
    private readonly OperatorOptions options;
    private readonly ReconcileServices services;
    private readonly OperatorMetrics metrics;
    private readonly DistributionCache? distributionCache;
    /// <summary>Log event id of a failed orphan cleanup (OperatorLog's range).</summary>
    private const int OrphanCleanupFailedId = 1190;
    private static readonly TimeSpan OrphanCleanupInterval = TimeSpan.FromHours(1);
    private readonly ILogger logger;
    private readonly WorkQueue<ResourceKey> queue = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromMinutes(5));
    private readonly ConcurrentDictionary<ResourceKey, string> signatures = new();
    private readonly RemoteReconciler remotes;
    private readonly RepositoryReconciler repositories;
    private readonly DistributionReconciler distributions;
    private readonly PromotionReconciler promotions;
    private readonly RepositoryFinalizer repositoryFinalizer;
    private readonly OrphanCleaner orphans;

    public ControllerSession(
        ResourceClient client, OperatorOptions options, ReconcileServices services, RepositoryFinalizer repositoryFinalizer, OrphanCleaner orphans,
        OperatorMetrics metrics, DistributionCache? distributionCache, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        this.client = client;
        statusPatcher = new StatusPatcher(client);
        this.options = options;
        this.services = services;
        this.repositoryFinalizer = repositoryFinalizer;
        this.orphans = orphans;
        this.metrics = metrics;
        this.distributionCache = distributionCache;
        logger = loggers.CreateLogger<ControllerSession>();
        Cache = new ResourceCache(client, options.Namespace, loggers);
        remotes = new RemoteReconciler(services, Cache);
        repositories = new RepositoryReconciler(services, Cache);
        distributions = new DistributionReconciler(services, Cache);
        promotions = new PromotionReconciler(services, Cache, this);
    }

    public ResourceCache Cache { get; }

    public int QueueDepth => queue.Count;

    public void Enqueue(string kind, string ns, string name) => queue.Add(new ResourceKey(kind, ns, name));

    /// <summary>Lists and watches, then reconciles until <paramref name="cancellationToken"/> (lost lease or shutdown) ends the term.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Cache.Remotes.OnChange(key => OnChange("Remote", key));
        Cache.Repositories.OnChange(key => OnChange("Repository", key));
        Cache.DistributionInformer.OnChange(key => OnChange("Distribution", key));
        Cache.Promotions.OnChange(key => OnChange("Promotion", key));
        Cache.Secrets.OnChange(key => OnChange("Secret", key));
        var informers = Cache.RunAsync(cancellationToken);
        try
        {
            await Cache.WaitForSyncAsync(cancellationToken);
            OperatorLog.CachesSynced(logger, queue.Count);
            await Task.WhenAll(
                queue.RunAsync(options.Concurrency, ReconcileAsync, cancellationToken, (key, e) => OperatorLog.ReconcileFailed(logger, key.Kind, key.Namespace, key.Name, e)),
                ResyncAsync(cancellationToken), CleanOrphansAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await informers;
    }

    public void Dispose() => queue.Dispose();

    private void OnChange(string kind, string cacheKey)
    {
        var slash = cacheKey.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = (cacheKey[..slash], cacheKey[(slash + 1)..]);
        if (kind != "Secret")
        {
            var key = new ResourceKey(kind, ns, name);
            var signature = Signature(key);
            if (signature is null)
            {
                signatures.TryRemove(key, out _);
                queue.Add(key);
            }
            else if (!signatures.TryGetValue(key, out var previous) || previous != signature)
            {
                signatures[key] = signature;
                queue.Add(key);
            }
        }

        foreach (var dependent in Dependents.Of(Cache, kind, ns, name))
        {
            queue.Add(dependent);
        }
    }

    /// <summary>What makes an object worth reconciling again; null when it is gone.</summary>
    private string? Signature(ResourceKey key)
    {
        var metadata = key.Kind switch
        {
            "Remote" => Cache.Remotes.TryGet(key.Namespace, key.Name, out var r) ? r!.Metadata : null,
            "Repository" => Cache.Repositories.TryGet(key.Namespace, key.Name, out var r) ? r!.Metadata : null,
            "Distribution" => Cache.DistributionInformer.TryGet(key.Namespace, key.Name, out var d) ? d!.Metadata : null,
            "Promotion" => Cache.Promotions.TryGet(key.Namespace, key.Name, out var p) ? p!.Metadata : null,
            _ => null,
        };
        return metadata is null
            ? null
            : string.Join('|', metadata.Uid, metadata.Generation, metadata.Annotation(PackyardGroup.RequestedAtAnnotation),
                metadata.DeletionTimestamp?.Ticks / TimeSpan.TicksPerSecond, string.Join(',', metadata.Finalizers ?? []));
    }

    /// <summary>Every resource is reconciled at least once per resync period (Flux's interval), even when nothing changed.</summary>
    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Resync, services.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            foreach (var key in AllKeys())
            {
                queue.Add(key);
            }
        }
    }

    /// <summary>
    /// The leader reclaims, once an hour while no task is open, repositories past their deletion grace period and then what
    /// nothing references any more (older than an hour, so a sync that is about to create its version keeps its units).
    /// </summary>
    private async Task CleanOrphansAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(OrphanCleanupInterval, services.Time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await orphans.CleanWhenIdleAsync(OrphanCleanupInterval, cancellationToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or IOException or Engine.Storage.ArtifactStoreException)
            {
                // The database or the store is unavailable: nothing is lost by cleaning an hour later.
                LogOrphanCleanupFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = OrphanCleanupFailedId, Level = LogLevel.Warning, Message = "Orphan cleanup failed; trying again in an hour")]
    private static partial void LogOrphanCleanupFailed(ILogger logger, Exception exception);

    private IEnumerable<ResourceKey> AllKeys() =>
        Cache.Remotes.Items.Select(r => new ResourceKey("Remote", r.Namespace, r.Name))
            .Concat(Cache.Repositories.Items.Select(r => new ResourceKey("Repository", r.Namespace, r.Name)))
            .Concat(Cache.Distributions.Select(d => new ResourceKey("Distribution", d.Namespace, d.Name)))
            .Concat(Cache.Promotions.Items.Select(p => new ResourceKey("Promotion", p.Namespace, p.Name)));

    private void Schedule(ResourceKey key, StepResult result)
    {
        switch (result.Outcome)
        {
            case StepOutcome.Retry when result.RequeueAfter is { } at:
                // The step knows when to try again (a failed sync's backoff).
                queue.Forget(key);
                queue.AddAfter(key, at < options.Resync ? at : options.Resync);
                break;
            case StepOutcome.Retry:
                queue.AddRateLimited(key);
                break;
            case StepOutcome.Wait:
                queue.Forget(key);
                queue.AddAfter(key, result.RequeueAfter ?? TimeSpan.FromSeconds(10));
                break;
            case StepOutcome.Requeue:
                queue.Add(key);
                break;
            case StepOutcome.Done when result.RequeueAfter is { } after:
                queue.Forget(key);
                queue.AddAfter(key, after < options.Resync ? after : options.Resync);
                break;
            default:
                queue.Forget(key);
                break;
        }
    }
}
