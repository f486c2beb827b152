using k8s;
using k8s.Models;
using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>
/// Where reconcile results go: the status subresource, finalizers, events' metrics and logs (operator), or the in-memory
/// resources, the console and <c>/api/v1/resources</c> (standalone).
/// </summary>
public interface IStatusSink
{
    /// <summary>Adds <c>packyard.io/finalizer</c>; returns the object as written.</summary>
    Task<T> AddFinalizerAsync<T>(KindRegistration<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Removes <c>packyard.io/finalizer</c>; false when the object is gone already.</summary>
    Task<bool> RemoveFinalizerAsync<T>(KindRegistration<T> kind, T item, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Writes the status of <paramref name="reconciled"/> (when it differs from <paramref name="read"/>'s); false when the object is gone.</summary>
    Task<bool> WriteStatusAsync<T>(KindRegistration<T> kind, T read, T reconciled, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>A sync finished (its result and how long it ran).</summary>
    void SyncFinished(string result, TimeSpan duration);

    /// <summary>The first full read is queued.</summary>
    void Synced(int queued);

    /// <summary>A gone object was cleaned up; <paramref name="reported"/> when its cleanup recorded its own event.</summary>
    void Deleted(ResourceKey key, bool reported);

    /// <summary>A deleting object was cleaned up and its finalizer removed.</summary>
    void Finalized(ResourceKey key);

    /// <summary>A reconcile failed unexpectedly (the API, the database or the store is unavailable); it is retried with backoff.</summary>
    void Failed(ResourceKey key, Exception exception);

    /// <summary>A reconcile ended with <paramref name="result"/>; <paramref name="queued"/> keys wait.</summary>
    void Reconciled(ResourceKey key, string result, TimeSpan elapsed, int queued);
}
