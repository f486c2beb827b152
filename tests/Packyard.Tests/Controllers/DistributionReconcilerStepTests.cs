using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Tests.Controllers.Fakes;
using static Packyard.Tests.Controllers.Conditions;

namespace Packyard.Tests.Controllers;

/// <summary>
/// The Distribution reconciler against in-memory engine ports, one table (see <see cref="StepCase{T}"/>): it resolves its
/// Repository and pull-through Remote, hashes its content guard, claims its base path, and serves the newest publication or its
/// pinned version (queuing that version's publish). The Distribution "stable" serves the Repository "files" at files/stable.
/// </summary>
public sealed class DistributionReconcilerStepTests
{
    private const string Url = "http://packyard.test/files/stable/";

    public static TheoryData<string> Cases() => [.. Table.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task A_Distribution_serves_what_its_Repository_published_at_its_base_path(string name) =>
        Table[name].RunAsync((world, distribution) => new DistributionReconciler(world.Services, world.Resources).ReconcileAsync(distribution, CancellationToken.None),
            d => d.Status);

    private static readonly Dictionary<string, StepCase<Distribution>> Table = new(StringComparer.Ordinal)
    {
        ["A Distribution of a missing Repository waits with ReferenceNotFound and claims no base path"] = new(
            Arrange(Distribution),
            StepOutcome.Wait, Reasons.ReferenceNotFound, "spec.repositoryRef: Repository default/files not found",
            Waiting(Reasons.ReferenceNotFound), Queued: [], Events: [],
            Then: (w, _, _) => Assert.Empty(w.Catalog.Distributions)),
        ["A Distribution of a Repository whose engine record does not exist yet waits with ReferenceNotFound"] = new(
            Arrange(w =>
            {
                w.AddRepository(remote: null);
                return Distribution(w);
            }),
            StepOutcome.Wait, Reasons.ReferenceNotFound, "spec.repositoryRef: Repository default/files not found",
            Waiting(Reasons.ReferenceNotFound), Queued: [], Events: []),
        ["A Distribution serves the newest publication at its URL"] = new(
            Arrange(w => Distribution(Published(w, versions: 2, published: 1))),
            StepOutcome.Done, Reasons.Succeeded, $"serving version 1 at {Url}",
            Ready(), Queued: [], Events: [],
            Then: (w, d, _) =>
            {
                var record = w.Catalog.Distributions[("default", "stable")];
                Assert.Equal(("files/stable", w.Stored().Id, (long?)null, (ContentGuardRecordView?)null, (long?)null),
                    (record.BasePath, record.RepositoryId, record.Version, View(record.Guard), record.PullThroughRemoteId));
                Assert.Equal((Url, 1L), (d.Status!.Url, d.Status.ServedVersion!.Value));
            }),
        ["A Distribution of a Repository without a publication waits with WaitingForPublication"] = new(
            Arrange(w => Distribution(Published(w, versions: 1, published: null))),
            StepOutcome.Wait, Reasons.WaitingForPublication, "Repository files has no publication yet",
            Waiting(Reasons.WaitingForPublication), Queued: [], Events: [],
            Then: (w, d, _) =>
            {
                Assert.Null(d.Status!.ServedVersion);
                Assert.True(w.Catalog.Distributions.ContainsKey(("default", "stable")));
            }),
        ["A base path another Distribution serves stalls with BasePathConflict"] = new(
            Arrange(w =>
            {
                var distribution = Distribution(Published(w, versions: 1, published: 1));
                w.Catalog.Distributions[("default", "other")] = new("default", "other", "files/stable", 1, null, false, null, null);
                return distribution;
            }),
            StepOutcome.Stalled, Reasons.BasePathConflict, "base path files/stable is already served by Distribution default/other",
            Stalled(Reasons.BasePathConflict), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A pinned version the Repository does not have stalls with VersionNotFound"] = new(
            Arrange(w => Distribution(Published(w, versions: 2, published: 2), d => d.Spec.Version = 9)),
            StepOutcome.Stalled, Reasons.VersionNotFound, "spec.version: Repository files has no version 9",
            Stalled(Reasons.VersionNotFound), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A pinned version without a publication is queued for publishing, notifying the Distribution"] = new(
            Arrange(w => Pinned(w)),
            StepOutcome.Wait, Reasons.PublishQueued, "publish queued (task 1), waiting for a worker",
            Waiting(Reasons.PublishQueued), Queued: ["publish"], Events: [],
            Then: (w, d, _) =>
            {
                var (repositoryId, args, notify) = Assert.Single(w.Tasks.Publishes);
                Assert.Equal((w.Stored().Id, 1L, "default/files", "Distribution/default/stable"), (repositoryId, args.Version, args.Repository, notify));
                Assert.Null(d.Status!.ServedVersion);
            }),
        ["A pinned version being published is waited for (PublishRunning)"] = new(
            Reconciled(w => Pinned(w), w => w.StartPublish("files", 1)),
            StepOutcome.Wait, Reasons.PublishRunning, "publish running on worker worker-1",
            Waiting(Reasons.PublishRunning), Queued: [], Events: []),
        ["A pinned version whose publish failed is retried with PublishFailed naming the Repository"] = new(
            Reconciled(w => Pinned(w), w => w.Tasks.FinishPublish(w.Stored().Id, 1, succeeded: false)),
            StepOutcome.Retry, Reasons.PublishFailed, "Repository files: publishing version 1 failed",
            Retrying(Reasons.PublishFailed), Queued: [], Events: [Reasons.PublishFailed]),
        ["A pinned version once published is served"] = new(
            Reconciled(w => Pinned(w), w => w.Publish("files", 1)),
            StepOutcome.Done, Reasons.Succeeded, $"serving version 1 at {Url}",
            Ready(), Queued: [], Events: [],
            Then: (w, d, _) => Assert.Equal((1L, 1L), (d.Status!.ServedVersion!.Value, w.Catalog.Distributions[("default", "stable")].Version!.Value))),
        ["A pinned version whose signing-key Secret is missing stalls with SecretNotFound naming the Repository"] = new(
            Arrange(w =>
            {
                Published(w, versions: 2, published: 2);
                w.Resources.GetRepository("default", "files")!.Spec.Publish = new RepositoryPublish { SigningKeySecretRef = new SecretReference { Name = "signing-key" } };
                return Distribution(w, d => d.Spec.Version = 1);
            }),
            StepOutcome.Stalled, Reasons.SecretNotFound, "Repository files: spec.publish.signingKeySecretRef: Secret default/signing-key not found",
            Stalled(Reasons.SecretNotFound), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A content guard keeps salted hashes of its Secrets' passwords and tokens, never the values"] = new(
            Arrange(w =>
            {
                w.Resources.AddSecret("users", new() { ["alice"] = "s3cret-password" });
                w.Resources.AddSecret("tokens", new() { ["ci"] = "tok-123456" });
                return Distribution(Published(w, versions: 1, published: 1), d => d.Spec.ContentGuard = new ContentGuard
                {
                    BasicAuthSecretRef = new SecretReference { Name = "users" }, TokenSecretRef = new SecretReference { Name = "tokens" },
                });
            }),
            StepOutcome.Done, Reasons.Succeeded, $"serving version 1 at {Url}",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) =>
            {
                var guard = w.Catalog.Distributions[("default", "stable")].Guard!;
                Assert.Equal((true, false, true, false),
                    (guard.AllowsBasic("alice", "s3cret-password"), guard.AllowsBasic("alice", "guess"), guard.AllowsToken("tok-123456"), guard.AllowsToken("tok")));
                Assert.DoesNotContain("s3cret-password", guard.ToJson(), StringComparison.Ordinal);
                Assert.DoesNotContain("tok-123456", guard.ToJson(), StringComparison.Ordinal);
            }),
        ["A missing content-guard Secret stalls with SecretNotFound"] = new(
            Arrange(w => Distribution(Published(w, versions: 1, published: 1),
                d => d.Spec.ContentGuard = new ContentGuard { BasicAuthSecretRef = new SecretReference { Name = "users" } })),
            StepOutcome.Stalled, Reasons.SecretNotFound, "spec.contentGuard.basicAuthSecretRef: Secret default/users not found",
            Stalled(Reasons.SecretNotFound), Queued: [], Events: [ConditionTypes.Stalled],
            Then: (w, _, _) => Assert.Empty(w.Catalog.Distributions)),
        ["A pull-through Remote is saved and the Distribution points at it"] = new(
            Arrange(w =>
            {
                w.AddRemote();
                return Distribution(Published(w, versions: 1, published: 1), d => d.Spec.PullThrough = new PullThrough { RemoteRef = new LocalObjectReference { Name = "upstream" } });
            }),
            StepOutcome.Done, Reasons.Succeeded, $"serving version 1 at {Url}",
            Ready(), Queued: [], Events: [],
            Then: (w, _, _) => Assert.Equal(w.Catalog.Remotes[("default", "upstream")].Id, w.Catalog.Distributions[("default", "stable")].PullThroughRemoteId)),
        ["A missing pull-through Remote waits with ReferenceNotFound"] = new(
            Arrange(w => Distribution(Published(w, versions: 1, published: 1),
                d => d.Spec.PullThrough = new PullThrough { RemoteRef = new LocalObjectReference { Name = "upstream" } })),
            StepOutcome.Wait, Reasons.ReferenceNotFound, "spec.pullThrough.remoteRef: Remote default/upstream not found",
            Waiting(Reasons.ReferenceNotFound), Queued: [], Events: []),
        ["An unusable pull-through Remote stalls with InvalidSpec"] = new(
            Arrange(w =>
            {
                w.AddRemote(url: "ftp://upstream.test/files/");
                return Distribution(Published(w, versions: 1, published: 1), d => d.Spec.PullThrough = new PullThrough { RemoteRef = new LocalObjectReference { Name = "upstream" } });
            }),
            StepOutcome.Stalled, Reasons.InvalidSpec, "spec.url 'ftp://upstream.test/files/' is not an absolute http, https or file URL",
            Stalled(Reasons.InvalidSpec), Queued: [], Events: [ConditionTypes.Stalled]),
    };

    private static Func<ReconcileWorld, Task<Distribution>> Arrange(Func<ReconcileWorld, Distribution> arrange) => Arrangements.Given(arrange);

    private static Func<ReconcileWorld, Task<Distribution>> Reconciled(Func<ReconcileWorld, Distribution> arrange, Action<ReconcileWorld>? worker = null) =>
        Arrangements.Reconciled(Arrangements.Given(arrange), ReconcileAsync, worker);

    private static Task<StepResult> ReconcileAsync(ReconcileWorld world, Distribution distribution) =>
        new DistributionReconciler(world.Services, world.Resources).ReconcileAsync(distribution, CancellationToken.None);

    /// <summary>The Repository "files" without a Remote, its engine record with versions 0 to <paramref name="versions"/>, <paramref name="published"/> published.</summary>
    private static ReconcileWorld Published(ReconcileWorld world, int versions, long? published)
    {
        world.AddRepository(remote: null);
        var stored = world.Catalog.Add("default", "files", "file", ReconcileWorld.Start);
        for (var i = 1; i <= versions; i++)
        {
            stored.AddVersion(ReconcileWorld.Start.AddMinutes(i), 1, 0);
        }

        if (published is { } version)
        {
            stored.Publications[version] = ReconcileWorld.Start.AddMinutes(version);
        }

        return world;
    }

    private static Distribution Distribution(ReconcileWorld world) => Distribution(world, null);

    /// <summary>A Distribution pinned to version 1 of "files", whose newest version 2 is published.</summary>
    private static Distribution Pinned(ReconcileWorld world) => Distribution(Published(world, versions: 2, published: 2), d => d.Spec.Version = 1);

    private static Distribution Distribution(ReconcileWorld world, Action<Distribution>? change)
    {
        var distribution = world.Resources.Add(new Distribution
        {
            Metadata = ReconcileWorld.Meta("stable"),
            Spec = new DistributionSpec { BasePath = "files/stable", RepositoryRef = new LocalObjectReference { Name = "files" } },
        });
        change?.Invoke(distribution);
        return distribution;
    }

    /// <summary>A guard as a comparable value (records hold a dictionary and a list, compared by reference).</summary>
    private static ContentGuardRecordView? View(Packyard.Engine.Catalog.ContentGuardRecord? guard) =>
        guard is null ? null : new ContentGuardRecordView(string.Join(',', guard.Users.Keys), guard.Tokens.Count);

    private sealed record ContentGuardRecordView(string Users, int Tokens);
}
