using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Controllers;

namespace Packyard.Operator;

/// <summary>
/// One informer per kind the controllers read (Remote, Repository, Distribution, Promotion, Secret), serving the
/// reconcilers' <see cref="IResourceLookup"/> from memory. In operator mode a relative <c>file:</c> Remote URL is
/// relative to the process's working directory. Cached objects keep no <c>kubectl.kubernetes.io/last-applied-configuration</c>
/// annotation: nothing reads it, and it repeats the whole object (a Secret's data included) as a string, nor managedFields.
/// Secrets are the library's V1Secret, handed to the reconcilers in the manifest shape they share with standalone mode.
/// </summary>
public sealed class ResourceCache : IResourceLookup
{
    public ResourceCache(ResourceClient client, string? watchNamespace, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger<ResourceCache>();
        Remotes = Cached(PackyardKinds.Remote);
        Repositories = Cached(PackyardKinds.Repository);
        DistributionInformer = Cached(PackyardKinds.Distribution);
        Promotions = Cached(PackyardKinds.Promotion);
        Secrets = Cached(PackyardKinds.Secret);

        Informer<T> Cached<T>(ResourceKind<T> kind)
            where T : class, IKubernetesObject<V1ObjectMeta> => new(client, kind, watchNamespace, logger) { Transform = Trimmed<T>() };
    }

    public Informer<Remote> Remotes { get; }

    public Informer<Repository> Repositories { get; }

    public Informer<Distribution> DistributionInformer { get; }

    public Informer<Promotion> Promotions { get; }

    public Informer<V1Secret> Secrets { get; }

    public IEnumerable<Distribution> Distributions => DistributionInformer.Items;

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Remotes.RunAsync(cancellationToken), Repositories.RunAsync(cancellationToken), DistributionInformer.RunAsync(cancellationToken),
        Promotions.RunAsync(cancellationToken), Secrets.RunAsync(cancellationToken));

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Remotes.WaitForSyncAsync(cancellationToken), Repositories.WaitForSyncAsync(cancellationToken),
        DistributionInformer.WaitForSyncAsync(cancellationToken), Promotions.WaitForSyncAsync(cancellationToken),
        Secrets.WaitForSyncAsync(cancellationToken));

    public bool HasSynced => Remotes.HasSynced && Repositories.HasSynced && DistributionInformer.HasSynced && Promotions.HasSynced && Secrets.HasSynced;

    public Remote? GetRemote(string ns, string name) =>
        Remotes.TryGet(ns, name, out var remote) && remote is not null ? WithAbsoluteFileUrl(remote) : null;

    public Repository? GetRepository(string ns, string name) => Repositories.TryGet(ns, name, out var repository) ? repository : null;

    public Secret? GetSecret(string ns, string name) => Secrets.TryGet(ns, name, out var secret) && secret is not null ? AsManifestSecret(secret) : null;

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

    /// <summary>The uid of a cached Packyard object, for events' involvedObject.</summary>
    public string? UidOf(string kind, string ns, string name) => kind switch
    {
        "Remote" => Remotes.TryGet(ns, name, out var r) ? r!.Metadata.Uid : null,
        "Repository" => Repositories.TryGet(ns, name, out var r) ? r!.Metadata.Uid : null,
        "Distribution" => DistributionInformer.TryGet(ns, name, out var d) ? d!.Metadata.Uid : null,
        "Promotion" => Promotions.TryGet(ns, name, out var p) ? p!.Metadata.Uid : null,
        _ => null,
    };

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

        var copy = ObjectCopies.Clone(remote);
        var relative = url["file:".Length..];
        var absolute = Path.GetFullPath(relative);
        copy.Spec.Url = new Uri(absolute + (relative.EndsWith('/') && !absolute.EndsWith('/') ? "/" : "")).AbsoluteUri;
        return copy;
    }
}
