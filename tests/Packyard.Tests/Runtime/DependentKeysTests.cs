using k8s.Models;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Runtime;

namespace Packyard.Tests.Runtime;

/// <summary>Which objects are reconciled again when another changes, from the kinds' registrations alone.</summary>
public sealed class DependentKeysTests
{
    private static readonly object[] Objects =
    [
        new Remote { Metadata = Meta("up"), Spec = new RemoteSpec { AuthSecretRef = new SecretReference { Name = "up-auth" } } },
        new Remote { Metadata = Meta("proxy"), Spec = new RemoteSpec { Tls = new RemoteTls { CaSecretRef = new SecretReference { Name = "ca" } } } },
        new Repository { Metadata = Meta("dev"), Spec = new RepositorySpec { RemoteRef = new LocalObjectReference { Name = "up" } } },
        new Repository { Metadata = Meta("prod"), Spec = new RepositorySpec { Publish = new RepositoryPublish { SigningKeySecretRef = new SecretReference { Name = "signing" } } } },
        new Distribution { Metadata = Meta("dev"), Spec = new DistributionSpec { RepositoryRef = new LocalObjectReference { Name = "dev" } } },
        new Distribution
        {
            Metadata = Meta("cache"),
            Spec = new DistributionSpec
            {
                RepositoryRef = new LocalObjectReference { Name = "prod" },
                PullThrough = new PullThrough { RemoteRef = new LocalObjectReference { Name = "proxy" } },
                ContentGuard = new ContentGuard { TokenSecretRef = new SecretReference { Name = "guard" } },
            },
        },
        new Promotion { Metadata = Meta("dev-to-prod"), Spec = new PromotionSpec { SourceRef = new() { Name = "dev" }, TargetRef = new() { Name = "prod" } } },
        // The same names in another namespace are never dependents.
        new Repository { Metadata = Meta("dev", "other"), Spec = new RepositorySpec { RemoteRef = new LocalObjectReference { Name = "up" } } },
        new Distribution { Metadata = Meta("dev", "other"), Spec = new DistributionSpec { RepositoryRef = new LocalObjectReference { Name = "dev" } } },
    ];

    public static TheoryData<string, string, string[]> Cases() => new()
    {
        { KindNames.Remote, "up", ["Repository/dev"] },
        { KindNames.Remote, "proxy", ["Distribution/cache"] },
        { KindNames.Repository, "dev", ["Distribution/dev", "Promotion/dev-to-prod"] },
        { KindNames.Repository, "prod", ["Distribution/cache"] }, // a promotion's target is not watched
        { KindNames.Distribution, "dev", [] },
        { KindNames.Promotion, "dev-to-prod", [] },
        { KindNames.Secret, "up-auth", ["Remote/up", "Repository/dev"] }, // the reader and what refers to it
        { KindNames.Secret, "ca", ["Remote/proxy", "Distribution/cache"] },
        { KindNames.Secret, "signing", ["Repository/prod", "Distribution/cache"] },
        { KindNames.Secret, "guard", ["Distribution/cache"] },
        { KindNames.Secret, "unread", [] },
        { KindNames.Remote, "nothing-refers-to-it", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_change_reconciles_exactly_its_dependents_in_its_namespace(string kind, string name, string[] expected)
    {
        var dependents = DependentKeys.Of(Objects, new ResourceKey(kind, "team", name)).ToList();
        Assert.All(dependents, key => Assert.Equal("team", key.Namespace));
        Assert.Equal(expected.Order(StringComparer.Ordinal), dependents.Select(k => $"{k.Kind}/{k.Name}").Distinct().Order(StringComparer.Ordinal));
    }

    private static V1ObjectMeta Meta(string name, string ns = "team") => new() { Name = name, NamespaceProperty = ns };
}
