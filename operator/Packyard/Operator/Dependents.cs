using Packyard.Api.Resources;
using Packyard.Controllers;

namespace Packyard.Operator;

/// <summary>
/// The related-kind watches: which resources must be reconciled again when another object changes. A Repository after its
/// Remote; a Distribution after its Repository (it publishes) or its pull-through Remote; a Promotion after its source
/// Repository (a new version); anything that reads a Secret (credentials, signing keys, content guards) after that Secret.
/// </summary>
public static class Dependents
{
    public static IEnumerable<ResourceKey> Of(ResourceCache cache, string kind, string ns, string name)
    {
        ArgumentNullException.ThrowIfNull(cache);
        return kind switch
        {
            "Remote" => OfRemote(cache, ns, name),
            "Repository" => cache.Distributions.Where(d => d.Namespace == ns && d.Spec.RepositoryRef.Name == name).Select(Key)
                .Concat(cache.Promotions.Items.Where(p => p.Namespace == ns && p.Spec.SourceRef.Name == name).Select(Key)),
            "Secret" => OfSecret(cache, ns, name),
            _ => [],
        };
    }

    private static IEnumerable<ResourceKey> OfRemote(ResourceCache cache, string ns, string name) =>
        cache.Repositories.Items.Where(r => r.Namespace == ns && r.Spec.RemoteRef?.Name == name).Select(Key)
            .Concat(cache.Distributions.Where(d => d.Namespace == ns && d.Spec.PullThrough?.RemoteRef.Name == name).Select(Key));

    private static IEnumerable<ResourceKey> OfSecret(ResourceCache cache, string ns, string name)
    {
        var remotes = cache.Remotes.Items.Where(r => r.Namespace == ns && SecretsOf(r).Contains(name)).ToList();
        var repositories = cache.Repositories.Items.Where(r => r.Namespace == ns && r.Spec.Publish?.SigningKeySecretRef?.Name == name);
        var distributions = cache.Distributions.Where(d => d.Namespace == ns
            && (d.Spec.ContentGuard?.BasicAuthSecretRef?.Name == name || d.Spec.ContentGuard?.TokenSecretRef?.Name == name));
        return remotes.Select(Key)
            .Concat(remotes.SelectMany(r => OfRemote(cache, ns, r.Name)))
            .Concat(repositories.Select(Key))
            .Concat(distributions.Select(Key))
            .Distinct();
    }

    /// <summary>Names of the Secrets a Remote reads.</summary>
    public static IEnumerable<string> SecretsOf(Remote remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var spec = remote.Spec;
        SecretReference?[] references =
        [
            spec.AuthSecretRef, spec.Tls?.CaSecretRef, spec.Tls?.ClientCertSecretRef, spec.Proxy?.AuthSecretRef,
            (spec.TypeOptions() as ISignedRemoteOptions)?.SigningKeySecretRef,
        ];
        return references.OfType<SecretReference>().Select(r => r.Name);
    }

    private static ResourceKey Key(Remote r) => new("Remote", r.Namespace, r.Name);

    private static ResourceKey Key(Repository r) => new("Repository", r.Namespace, r.Name);

    private static ResourceKey Key(Distribution d) => new("Distribution", d.Namespace, d.Name);

    private static ResourceKey Key(Promotion p) => new("Promotion", p.Namespace, p.Name);
}
