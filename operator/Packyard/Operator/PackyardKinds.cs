using k8s.Models;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.ControllerRuntime;
using Packyard.Runtime;

namespace Packyard.Operator;

/// <summary>
/// The kinds the operator reads and writes: Packyard's four (custom resources, read and written with Packyard's
/// source-generated JSON) and the built-in Secret (the library's model and serializer). The controller runtime knows none
/// of them.
/// </summary>
public static class PackyardKinds
{
    private static readonly PackyardJsonContext Json = PackyardJsonContext.Default;

    public static readonly ResourceKind<Remote> Remote =
        ResourceKind<Remote>.Custom(PackyardGroup.Name, PackyardGroup.Version, KindNames.Remote, "remotes", namespaced: true, Json.Remote);

    public static readonly ResourceKind<Repository> Repository =
        ResourceKind<Repository>.Custom(PackyardGroup.Name, PackyardGroup.Version, KindNames.Repository, "repositories", namespaced: true, Json.Repository);

    public static readonly ResourceKind<Distribution> Distribution =
        ResourceKind<Distribution>.Custom(PackyardGroup.Name, PackyardGroup.Version, KindNames.Distribution, "distributions", namespaced: true, Json.Distribution);

    public static readonly ResourceKind<Promotion> Promotion =
        ResourceKind<Promotion>.Custom(PackyardGroup.Name, PackyardGroup.Version, KindNames.Promotion, "promotions", namespaced: true, Json.Promotion);

    public static readonly ResourceKind<V1Secret> Secret = ResourceKind<V1Secret>.BuiltIn("", "v1", KindNames.Secret, "secrets", namespaced: true);
}
