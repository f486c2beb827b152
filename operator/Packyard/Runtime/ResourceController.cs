using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Packyard.ControllerRuntime;
using Packyard.Controllers;
using Packyard.Server;

namespace Packyard.Runtime;

/// <summary>
/// The one controller runtime of both modes: a <see cref="ReconcileLoop{TKey}"/> over the registered kinds (<see cref="KindRegistry"/>)
/// fed by an <see cref="IResourceSource"/> (the manifests folder, or Kubernetes watches) and reporting to an <see cref="IStatusSink"/>
/// (the console and <c>/api/v1/resources</c>, or the status subresource). A change of an object queues it when its signature
/// changed (a status-only change does not) and queues the objects that depend on it; each reconcile's result is mapped to a
/// requeue by <see cref="RequeuePolicy"/>; every object is reconciled again each resync period.
/// </summary>
public sealed class ResourceController : IReconcileTrigger, IDisposable
{
    private readonly IResourceSource source;
    private readonly IStatusSink sink;
    private readonly RuntimeOptions options;
    private readonly ILogger logger;
    private readonly ReconcileLoop<ResourceKey> loop;
    private readonly KindContext context;
    private readonly ReferrerIndex referrers = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ResourceKey, (string Result, TimeSpan Elapsed)> finished = new();

    public ResourceController(
        IResourceSource source, IStatusSink sink, ReconcileServices services, RepositoryFinalizer repositoryFinalizer,
        DistributionCache? distributionCache, RuntimeOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        this.source = source;
        this.sink = sink;
        this.options = options;
        this.logger = logger;
        loop = new ReconcileLoop<ResourceKey>(options.RetryBaseDelay, options.RetryMaxDelay, services.Time);
        context = new KindContext(services, source, sink, this, repositoryFinalizer, distributionCache);
    }

    public int QueueDepth => loop.Count;

    public void Enqueue(string kind, string ns, string name) => loop.Add(new ResourceKey(kind, ns, name));

    /// <summary>Reads the source, then reconciles until <paramref name="cancellationToken"/> (shutdown, or a lost lease) ends the run.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reading = source.RunAsync(OnChange, cancellationToken);
        try
        {
            await source.WaitForSyncAsync(cancellationToken);
            sink.Synced(loop.Count);
            await loop.RunAsync(options.Concurrency, ReconcileAsync, AllKeys, options.Resync, cancellationToken, sink.Failed, Scheduled);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        try
        {
            await reading;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => loop.Dispose();

    /// <summary>An object changed (or went): it is queued unless only its status changed; its dependents are queued.</summary>
    private void OnChange(ResourceKey key)
    {
        if (KindRegistry.Find(key.Kind) is { } kind)
        {
            referrers.Update(key, kind.Find(source, key));
            loop.Changed(key, source.Signature(key));
        }

        EnqueueDependents(key);
    }

    private void EnqueueDependents(ResourceKey key)
    {
        foreach (var dependent in referrers.DependentsOf(key))
        {
            loop.Add(dependent);
        }
    }

    private IEnumerable<ResourceKey> AllKeys() => source.Objects.Select(o => KindRegistry.Of(o).KeyOf(o));

    private async Task<Requeue> ReconcileAsync(ResourceKey key, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string result;
        var requeue = Requeue.Forget;
        using (logger.BeginScope("{Kind} {Namespace}/{Name}", key.Kind, key.Namespace, key.Name))
        {
            try
            {
                var kind = KindRegistry.Find(key.Kind);
                var step = kind is null ? StepResult.Continue : await kind.ReconcileAsync(key, context, cancellationToken);
                if (step is { } done)
                {
                    requeue = RequeuePolicy.For(done, options.Resync);
                    result = done.Outcome.ToString().ToLowerInvariant();
                }
                else
                {
                    // Dependents that stay (a Distribution of a deleted Repository) report that their reference is gone.
                    EnqueueDependents(key);
                    result = "deleted";
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                result = "canceled";
            }
            catch (KubernetesConflictException)
            {
                // Someone else changed the object between our read and write: the watch brings the new state; try again.
                requeue = Requeue.RateLimited;
                result = "conflict";
            }
            catch (Exception e)
            {
                // The API, the database or the store is unavailable, or a step's unexpected failure could not be written to status:
                // nothing half-written is visible; retry with backoff. No input ends a reconcile worker.
                sink.Failed(key, e);
                requeue = Requeue.RateLimited;
                result = "error";
            }
        }

        finished[key] = (result, clock.Elapsed);
        return requeue;
    }

    /// <summary>Told once the key's requeue is scheduled, so the queue depth the sink sees counts it.</summary>
    private void Scheduled(ResourceKey key)
    {
        if (finished.TryRemove(key, out var reconciled))
        {
            sink.Reconciled(key, reconciled.Result, reconciled.Elapsed, loop.Count);
        }
    }
}
