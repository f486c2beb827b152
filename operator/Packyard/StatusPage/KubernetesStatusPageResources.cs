using k8s;
using k8s.Models;
using Packyard.ControllerRuntime;
using Packyard.Operator;
using Packyard.Runtime;

namespace Packyard.StatusPage;

/// <summary>
/// The resources as the API server has them, listed on each request (a content replica holds no informer cache), in the
/// watched namespace or all of them.
/// </summary>
public sealed class KubernetesStatusPageResources(ResourceClient client, OperatorOptions options) : IStatusPageResources
{
    public async Task<IReadOnlyList<PageResource>> ListAsync(CancellationToken cancellationToken)
    {
        var remotes = ListAsync(PackyardKinds.Remote, KindNames.Remote, cancellationToken);
        var repositories = ListAsync(PackyardKinds.Repository, KindNames.Repository, cancellationToken);
        var distributions = ListAsync(PackyardKinds.Distribution, KindNames.Distribution, cancellationToken);
        var promotions = ListAsync(PackyardKinds.Promotion, KindNames.Promotion, cancellationToken);
        return [.. (await remotes).Concat(await repositories).Concat(await distributions).Concat(await promotions)];
    }

    private async Task<IEnumerable<PageResource>> ListAsync<T>(ResourceKind<T> kind, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var list = await client.ListAsync(kind, options.Namespace, null, cancellationToken);
        return list.Items
            .OrderBy(item => item.Metadata?.NamespaceProperty, StringComparer.Ordinal).ThenBy(item => item.Metadata?.Name, StringComparer.Ordinal)
            .Select(item => new PageResource(name, item.Metadata?.NamespaceProperty ?? "default", item.Metadata?.Name ?? "", item));
    }
}
