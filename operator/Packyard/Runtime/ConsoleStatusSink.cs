using k8s;
using k8s.Models;
using Packyard.Api.Conditions;
using Packyard.Controllers;
using Packyard.Operator;
using Packyard.Standalone;

namespace Packyard.Runtime;

/// <summary>
/// Standalone mode's status sink: status lands on the resource's in-memory entry (served by <c>/api/v1/resources</c>), Ready
/// changes and events are printed by the <see cref="ConsoleReporter"/> with progress bars for syncs, and a status table is
/// printed whenever a round of work settles; reconciles and syncs are counted in the metrics (<c>/metrics</c>). There are no finalizers: a resource removed from the manifests is cleaned up at once.
/// </summary>
public sealed class ConsoleStatusSink(ManifestFolderSource source, ResourceSet resources, ConsoleReporter reporter, OperatorMetrics metrics) : IStatusSink
{
    public Task<T> AddFinalizerAsync<T>(KindRegistration<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> => Task.FromResult(item);

    public Task<bool> RemoveFinalizerAsync<T>(KindRegistration<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> => Task.FromResult(true);

    public Task<bool> WriteStatusAsync<T>(KindRegistration<T> kind, T read, T reconciled, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(reconciled);
        var key = kind.KeyOf(reconciled);
        if (resources.Get(key) is not { Resource: T current } entry)
        {
            return Task.FromResult(false);
        }

        // The current object: a reload during the reconcile replaced it, carrying the status over.
        kind.CopyStatus(reconciled, current);
        reporter.ReportStatus(entry);
        source.StatusWritten(key);
        return Task.FromResult(true);
    }

    public void SyncFinished(string result, TimeSpan duration) => metrics.SyncFinished(result, duration);

    public void Synced(int queued)
    {
    }

    public void Deleted(ResourceKey key, bool reported)
    {
        if (!source.TakeRemoved(key))
        {
            return; // not removed from the manifests (a trigger for a resource that never was): nothing to report
        }

        reporter.Forget(key);
        if (!reported)
        {
            reporter.Record(key.Kind, key.Namespace, key.Name, false, Reasons.Deleted, "removed from the manifests; cleaned up");
        }
    }

    public void Finalized(ResourceKey key)
    {
    }

    public void Failed(ResourceKey key, Exception exception) =>
        // The database or the store is down, or something no step expected: reported and retried with backoff; nothing is lost,
        // nothing half-written is visible, and every other resource goes on.
        reporter.Record(key.Kind, key.Namespace, key.Name, true, "InfrastructureUnavailable", ReconcileSteps.Describe(exception));

    public void Reconciled(ResourceKey key, string result, TimeSpan elapsed, int queued)
    {
        metrics.Reconciled(key.Kind, result, elapsed);
        if (queued == 0 && source.Settle())
        {
            reporter.Table(resources.Entries);
        }
    }
}
