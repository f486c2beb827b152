using k8s;
using k8s.Models;

namespace Packyard.ControllerRuntime;

/// <summary>An informer whatever its kind: what a controller needs to run, wait for and enumerate several kinds' caches alike.</summary>
public interface IInformer
{
    /// <summary>True once the first list has been read.</summary>
    bool HasSynced { get; }

    /// <summary>The cached objects (shared: read, do not change).</summary>
    IEnumerable<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    /// <summary>Called with <c>namespace/name</c> for every added, changed or deleted object.</summary>
    void OnChange(Action<string> handler);

    /// <summary>The cached object's metadata, or null when it is not in the cache.</summary>
    V1ObjectMeta? MetadataOf(string? objectNamespace, string name);

    Task RunAsync(CancellationToken cancellationToken);

    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
