using k8s.Models;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Runtime;

namespace Packyard.Tests.Runtime;

/// <summary>The runtime's index of referrers stays right as objects change their references, and as they go.</summary>
public sealed class ReferrerIndexTests
{
    [Fact]
    public void A_changed_reference_moves_the_referrer_to_its_new_target()
    {
        var index = new ReferrerIndex();
        var distribution = Distribution("web", repository: "dev");
        index.Update(Key(KindNames.Distribution, "web"), distribution);
        Assert.Equal([Key(KindNames.Distribution, "web")], index.DependentsOf(Key(KindNames.Repository, "dev")));

        index.Update(Key(KindNames.Distribution, "web"), Distribution("web", repository: "prod"));

        Assert.Empty(index.DependentsOf(Key(KindNames.Repository, "dev")));
        Assert.Equal([Key(KindNames.Distribution, "web")], index.DependentsOf(Key(KindNames.Repository, "prod")));
    }

    [Fact]
    public void A_gone_object_is_no_longer_a_dependent_but_what_referred_to_it_still_is()
    {
        var index = new ReferrerIndex();
        index.Update(Key(KindNames.Repository, "dev"), Repository("dev", remote: "up", signingKey: "signing"));
        index.Update(Key(KindNames.Distribution, "web"), Distribution("web", repository: "dev"));
        index.Update(Key(KindNames.Distribution, "other"), Distribution("other", repository: "dev"));

        index.Update(Key(KindNames.Repository, "dev"), null);
        index.Update(Key(KindNames.Distribution, "other"), null);

        Assert.Empty(index.DependentsOf(Key(KindNames.Remote, "up")));
        Assert.Empty(index.DependentsOf(Key(KindNames.Secret, "signing")));
        // A Distribution of a deleted Repository stays, and must hear that its Repository is gone.
        Assert.Equal([Key(KindNames.Distribution, "web")], index.DependentsOf(Key(KindNames.Repository, "dev")));
    }

    [Fact]
    public void A_secret_brings_its_readers_and_their_referrers_as_they_are_now()
    {
        var index = new ReferrerIndex();
        index.Update(Key(KindNames.Remote, "up"), new Remote { Metadata = Meta("up"), Spec = new RemoteSpec { AuthSecretRef = new SecretReference { Name = "token" } } });
        index.Update(Key(KindNames.Repository, "dev"), Repository("dev", remote: "up", signingKey: null));
        index.Update(Key(KindNames.Repository, "prod"), Repository("prod", remote: null, signingKey: "token"));
        Assert.Equal(
            ["Remote/up", "Repository/dev", "Repository/prod"],
            index.DependentsOf(Key(KindNames.Secret, "token")).Select(k => $"{k.Kind}/{k.Name}").Order(StringComparer.Ordinal));

        // The Remote stops reading the Secret: neither it nor the Repository after it are dependents any more.
        index.Update(Key(KindNames.Remote, "up"), new Remote { Metadata = Meta("up"), Spec = new RemoteSpec() });

        Assert.Equal([Key(KindNames.Repository, "prod")], index.DependentsOf(Key(KindNames.Secret, "token")));
        Assert.Equal([Key(KindNames.Repository, "dev")], index.DependentsOf(Key(KindNames.Remote, "up")));
    }

    [Fact]
    public void An_unchanged_object_updated_again_is_listed_once()
    {
        var index = new ReferrerIndex();
        for (var i = 0; i < 3; i++)
        {
            index.Update(Key(KindNames.Distribution, "web"), Distribution("web", repository: "dev"));
        }

        Assert.Equal([Key(KindNames.Distribution, "web")], index.DependentsOf(Key(KindNames.Repository, "dev")));
    }

    private static Repository Repository(string name, string? remote, string? signingKey) => new()
    {
        Metadata = Meta(name),
        Spec = new RepositorySpec
        {
            RemoteRef = remote is null ? null : new LocalObjectReference { Name = remote },
            Publish = signingKey is null ? null : new RepositoryPublish { SigningKeySecretRef = new SecretReference { Name = signingKey } },
        },
    };

    private static Distribution Distribution(string name, string repository) =>
        new() { Metadata = Meta(name), Spec = new DistributionSpec { RepositoryRef = new LocalObjectReference { Name = repository } } };

    private static ResourceKey Key(string kind, string name) => new(kind, "team", name);

    private static V1ObjectMeta Meta(string name) => new() { Name = name, NamespaceProperty = "team" };
}
