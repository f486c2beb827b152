using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Packyard.Api.Schema;
using Packyard.ControllerRuntime;
using Packyard.Controllers;
using Packyard.Operator;

namespace Packyard.Runtime;

/// <summary>
/// Operator mode's status sink: status goes to the status subresource as a merge patch (only when it changed, the answer written
/// through to the informer), <c>packyard.io/finalizer</c> is added and removed with the resourceVersion read (a concurrent change
/// is a 409, not lost), and reconciles are counted in the operator's metrics and logged.
/// </summary>
public sealed class KubernetesStatusSink(ResourceClient client, ResourceCache cache, OperatorMetrics metrics, ILogger logger) : IStatusSink
{
    private readonly StatusPatcher statusPatcher = new(client);

    public async Task<T> AddFinalizerAsync<T>(KindRegistration<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(item);
        var updated = await SetFinalizersAsync(kind, item, [.. item.Metadata.Finalizers ?? [], PackyardGroup.Finalizer], cancellationToken);
        item.Metadata.Finalizers = updated.Metadata.Finalizers;
        item.Metadata.ResourceVersion = updated.Metadata.ResourceVersion;
        return item;
    }

    public async Task<bool> RemoveFinalizerAsync<T>(KindRegistration<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            await SetFinalizersAsync(kind, item, (item.Metadata.Finalizers ?? []).Where(f => f != PackyardGroup.Finalizer).ToList(), cancellationToken);
            return true;
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // A stale cache (e.g. while relisting after a 410) had the object still deleting: it is gone already.
            return false;
        }
    }

    public async Task<bool> WriteStatusAsync<T>(KindRegistration<T> kind, T read, T reconciled, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(read);
        var informer = cache.InformerOf(kind);
        return await statusPatcher.PatchAsync(kind.Api, read.Metadata.NamespaceProperty, read.Metadata.Name!, Status(kind, read), Status(kind, reconciled),
            written => informer.Written(read, written), cancellationToken) != StatusPatchResult.NotFound;
    }

    public void SyncFinished(string result, TimeSpan duration) => metrics.SyncFinished(result, duration);

    public void Synced(int queued) => OperatorLog.CachesSynced(logger, queued);

    public void Deleted(ResourceKey key, bool reported)
    {
        // The object is gone from the API: there is nothing to write status to, and its cleanup recorded what it kept.
    }

    public void Finalized(ResourceKey key) => OperatorLog.Finalized(logger, key.Kind, key.Namespace, key.Name);

    public void Failed(ResourceKey key, Exception exception) => OperatorLog.ReconcileFailed(logger, key.Kind, key.Namespace, key.Name, exception);

    public void Reconciled(ResourceKey key, string result, TimeSpan elapsed, int queued)
    {
        metrics.Reconciled(key.Kind, result, elapsed);
        OperatorLog.Reconciled(logger, key.Kind, key.Namespace, key.Name, result, (long)elapsed.TotalMilliseconds);
    }

    /// <summary>The object's <c>status</c> as the API would store it (null when absent).</summary>
    private static JsonNode? Status<T>(KindRegistration<T> kind, T item)
        where T : class, IKubernetesObject<V1ObjectMeta> => JsonNode.Parse(kind.Api.Serialize(item))?["status"]?.DeepClone();

    /// <summary>Writes metadata.finalizers with the resourceVersion read, so a concurrent change is a 409 rather than lost.</summary>
    private Task<T> SetFinalizersAsync<T>(KindRegistration<T> kind, T item, List<string> finalizers, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var metadata = item.Metadata;
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
                ["resourceVersion"] = metadata.ResourceVersion,
            },
        };
        return client.PatchAsync(kind.Api, metadata.NamespaceProperty, metadata.Name!, KubernetesPatch.Merge(patch), null, cancellationToken);
    }
}
