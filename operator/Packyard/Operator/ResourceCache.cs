using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Api.Schema;
using Packyard.Controllers;
using Packyard.Runtime;

namespace Packyard.Operator;

/// <summary>
/// Operator mode's resource source: one informer per registered kind and one of Secrets, serving the runtime and the
/// reconcilers' <see cref="IResourceLookup"/> from memory. In operator mode a relative <c>file:</c> Remote URL is
/// relative to the process's working directory. Cached objects keep no <c>kubectl.kubernetes.io/last-applied-configuration</c>
/// annotation: nothing reads it, and it repeats the whole object (a Secret's data included) as a string, nor managedFields.
/// Secrets are the library's V1Secret, handed to the reconcilers in the manifest shape they share with standalone mode.
/// </summary>
public sealed class ResourceCache : IResourceSource
{
    private readonly Dictionary<string, IInformer> informers;
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResourceCache(ResourceClient client, string? watchNamespace, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger<ResourceCache>();
        informers = KindRegistry.All.ToDictionary(kind => kind.Name, kind => kind.Watch(client, watchNamespace, logger), StringComparer.Ordinal);
        Secrets = new Informer<V1Secret>(client, PackyardKinds.Secret, watchNamespace, logger) { Transform = Trimmed<V1Secret>() };
    }

    public Informer<V1Secret> Secrets { get; }

    /// <summary>The informer of <paramref name="kind"/>.</summary>
    public Informer<T> InformerOf<T>(KindRegistration<T> kind)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(kind);
        return (Informer<T>)informers[kind.Name];
    }

    public IEnumerable<Distribution> Distributions => InformerOf(KindRegistry.Distribution).Items;

    public IEnumerable<object> Objects => informers.Values.SelectMany(informer => informer.Objects);

    public bool HasSynced => Secrets.HasSynced && informers.Values.All(informer => informer.HasSynced);

    /// <summary>Lists and watches every kind, telling <paramref name="changed"/> each change, until cancelled.</summary>
    public Task RunAsync(Action<ResourceKey> changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        foreach (var (kind, informer) in informers.Append(new(KindNames.Secret, Secrets)))
        {
            informer.OnChange(key =>
            {
                var slash = key.IndexOf('/', StringComparison.Ordinal);
                changed(new ResourceKey(kind, key[..slash], key[(slash + 1)..]));
            });
        }

        var running = Task.WhenAll(informers.Values.Append(Secrets).Select(informer => informer.RunAsync(cancellationToken)));
        _ = WaitAllAsync(cancellationToken);
        return running;
    }

    private async Task WaitAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(informers.Values.Append(Secrets).Select(informer => informer.WaitForSyncAsync(cancellationToken)));
            synced.TrySetResult();
        }
        catch (OperationCanceledException)
        {
            synced.TrySetCanceled(cancellationToken);
        }
        catch (Exception e)
        {
            synced.TrySetException(e);
        }
    }

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => synced.Task.WaitAsync(cancellationToken);

    public (T Object, string? Invalid)? Get<T>(KindRegistration<T> kind, string ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        InformerOf(kind).TryGet(ns, name, out var item) && item is not null ? (item, null) : null;

    /// <summary>
    /// What makes an object worth reconciling again: uid, generation, the <c>packyard.io/requested-at</c> annotation, deletion and
    /// finalizers (not its status, which our own patches change); null when it is gone.
    /// </summary>
    public string? Signature(ResourceKey key)
    {
        var metadata = MetadataOf(key);
        return metadata is null
            ? null
            : string.Join('|', metadata.Uid, metadata.Generation, metadata.Annotation(PackyardGroup.RequestedAtAnnotation),
                metadata.DeletionTimestamp?.Ticks / TimeSpan.TicksPerSecond, string.Join(',', metadata.Finalizers ?? []));
    }

    public Remote? GetRemote(string ns, string name) =>
        InformerOf(KindRegistry.Remote).TryGet(ns, name, out var remote) && remote is not null ? WithAbsoluteFileUrl(remote) : null;

    public Repository? GetRepository(string ns, string name) => InformerOf(KindRegistry.Repository).TryGet(ns, name, out var repository) ? repository : null;

    public Secret? GetSecret(string ns, string name) => Secrets.TryGet(ns, name, out var secret) && secret is not null ? AsManifestSecret(secret) : null;

    /// <summary>The uid of a cached Packyard object, for events' involvedObject.</summary>
    public string? UidOf(string kind, string ns, string name) => MetadataOf(new ResourceKey(kind, ns, name))?.Uid;

    private V1ObjectMeta? MetadataOf(ResourceKey key) => informers.GetValueOrDefault(key.Kind)?.MetadataOf(key.Namespace, key.Name);

    /// <summary>A V1Secret in the shape manifests give (base64 <c>data</c>), which the reconcilers read in both modes.</summary>
    public static Secret AsManifestSecret(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return new Secret
        {
            Metadata = secret.Metadata ?? new V1ObjectMeta(),
            Type = secret.Type,
            Data = secret.Data?.ToDictionary(entry => entry.Key, entry => Convert.ToBase64String(entry.Value), StringComparer.Ordinal),
            StringData = secret.StringData is null ? null : new Dictionary<string, string>(secret.StringData, StringComparer.Ordinal),
        };
    }

    /// <summary>The annotation <c>kubectl apply</c> keeps its last applied manifest in.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>
    /// A cache transform that drops <see cref="LastAppliedAnnotation"/> (and an annotation map left empty by that) and
    /// managedFields, which no reconciler reads.
    /// </summary>
    public static Func<T, T> Trimmed<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> => item =>
    {
        if (item.Metadata is { } metadata)
        {
            metadata.ManagedFields = null;
            if (metadata.Annotations is { } annotations && annotations.Remove(LastAppliedAnnotation) && annotations.Count == 0)
            {
                metadata.Annotations = null;
            }
        }

        return item;
    };

    /// <summary>A relative <c>file:</c> URL (no slash after the colon) resolved against the working directory, on a copy.</summary>
    public static Remote WithAbsoluteFileUrl(Remote remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var url = remote.Spec.Url;
        if (!url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("file:/", StringComparison.Ordinal))
        {
            return remote;
        }

        var copy = PackyardKinds.Remote.Clone(remote);
        var relative = url["file:".Length..];
        var absolute = Path.GetFullPath(relative);
        copy.Spec.Url = new Uri(absolute + (relative.EndsWith('/') && !absolute.EndsWith('/') ? "/" : "")).AbsoluteUri;
        return copy;
    }
}
