using k8s;
using k8s.Models;
using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>
/// Where the runtime's objects come from: the manifests folder (standalone) or the API server's watches (operator). Also the
/// reconcilers' <see cref="IResourceLookup"/>.
/// </summary>
public interface IResourceSource : IResourceLookup
{
    /// <summary>Every object of every registered kind, as last read.</summary>
    IEnumerable<object> Objects { get; }

    /// <summary>
    /// The object as last read (shared: copy before changing it) and, when its current manifest is invalid, why (the object is then
    /// the last valid one); null when it is gone.
    /// </summary>
    (T Object, string? Invalid)? Get<T>(KindRegistration<T> kind, string ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>What makes the object worth reconciling again (not its status); null when it is gone.</summary>
    string? Signature(ResourceKey key);

    /// <summary>Reads and follows the objects, telling <paramref name="changed"/> each key that changed (Secrets included), until cancelled.</summary>
    Task RunAsync(Action<ResourceKey> changed, CancellationToken cancellationToken);

    /// <summary>Completes when the first full read is done (every object has been told to <c>changed</c>).</summary>
    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
