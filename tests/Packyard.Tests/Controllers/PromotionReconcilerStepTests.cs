using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Engine.Tasks;
using Packyard.Tests.Controllers.Fakes;
using static Packyard.Tests.Controllers.Conditions;

namespace Packyard.Tests.Controllers;

/// <summary>
/// The Promotion reconciler against in-memory engine ports, one table (see <see cref="StepCase{T}"/>): it resolves source and
/// target, queues a promote task while the target does not hold the selection of the source version, reports the finished task
/// once (asking for the target to be reconciled when it changed) and holds while nothing changes. The Promotion "promote"
/// copies from the Repository "dev" (version 2) into "prod" (version 0).
/// </summary>
public sealed class PromotionReconcilerStepTests
{
    private const string Key = "default/promote";

    public static TheoryData<string> Cases() => [.. Table.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task A_Promotion_queues_a_promote_task_until_the_target_holds_the_selection_of_the_source(string name) =>
        Table[name].RunAsync(ReconcileAsync, p => p.Status);

    private static readonly Dictionary<string, StepCase<Promotion>> Table = new(StringComparer.Ordinal)
    {
        ["A suspended Promotion queues nothing and says so"] = new(
            Arrange(w => Promotion(Repositories(w), p => p.Spec.Suspend = true)),
            StepOutcome.Done, Reasons.Suspended, "promotion is suspended",
            Ready(Reasons.Suspended), Queued: [], Events: []),
        ["A missing source waits with ReferenceNotFound"] = new(
            Arrange(w =>
            {
                w.AddRepository("prod", remote: null);
                return Promotion(w);
            }),
            StepOutcome.Wait, Reasons.ReferenceNotFound, "spec.sourceRef: Repository default/dev not found",
            Waiting(Reasons.ReferenceNotFound), Queued: [], Events: []),
        ["A missing target waits with ReferenceNotFound"] = new(
            Arrange(w =>
            {
                w.AddRepository("dev", remote: null);
                return Promotion(w);
            }),
            StepOutcome.Wait, Reasons.ReferenceNotFound, "spec.targetRef: Repository default/prod not found",
            Waiting(Reasons.ReferenceNotFound), Queued: [], Events: []),
        ["A source and target of different types stall with TypeMismatch"] = new(
            Arrange(w =>
            {
                w.AddRepository("dev", remote: null);
                w.AddRepository("prod", ContentType.Deb, remote: null);
                return Promotion(w);
            }),
            StepOutcome.Stalled, Reasons.TypeMismatch, "source dev is file but target prod is deb",
            Stalled(Reasons.TypeMismatch), Queued: [], Events: [ConditionTypes.Stalled]),
        ["Repositories whose engine records do not exist yet are waited for"] = new(
            Arrange(w =>
            {
                w.AddRepository("dev", remote: null);
                w.AddRepository("prod", remote: null);
                return Promotion(w);
            }),
            StepOutcome.Wait, Reasons.ReferenceNotFound, "waiting for the source and target repositories to be created",
            Waiting(Reasons.ReferenceNotFound), Queued: [], Events: []),
        ["A due promotion is queued on the target for a worker (PromotionQueued)"] = new(
            Arrange(w => Promotion(Repositories(w), p => p.Spec.Select = new PromotionSelect { Names = ["hello"] })),
            StepOutcome.Wait, Reasons.PromotionQueued, "promote queued (task 1), waiting for a worker",
            Waiting(Reasons.PromotionQueued), Queued: ["promote"], Events: [],
            Then: (w, _, _) =>
            {
                var (targetId, args) = Assert.Single(w.Tasks.Promotions);
                Assert.Equal((w.Stored("prod").Id, Key, "default/dev", "default/prod", w.Stored("dev").Id, (long?)null, "file", PromotionMode.Merge),
                    (targetId, args.Promotion, args.Source, args.Target, args.SourceId, args.SourceVersion, args.Type, args.Mode));
                Assert.Equal(["hello"], args.Select!.Names!);
            }),
        ["A running promotion is waited for with its worker (PromotionRunning)"] = new(
            Reconciled(w => Promotion(Repositories(w)), w => w.Tasks.Start(TaskKinds.Promote, Key)),
            StepOutcome.Wait, Reasons.PromotionRunning, "promote running on worker worker-1",
            Waiting(Reasons.PromotionRunning), Queued: [], Events: []),
        ["A finished promotion that created a target version is reported once and asks for the target's reconcile"] = new(
            PromotedAsync,
            StepOutcome.Done, Reasons.Promoted, "prod version 1 holds the selection of dev version 2",
            Ready(Reasons.Promoted), Queued: [], Events: [Reasons.Promoted],
            Then: (w, p, _) =>
            {
                Assert.Equal([("Repository", "default/prod")], w.Resources.Triggered);
                Assert.Equal((2L, 1L, 3L, 0L), (p.Status!.SourceVersion!.Value, p.Status.TargetVersion!.Value, p.Status.Added!.Value, p.Status.Removed!.Value));
                Assert.Equal("dev version 2 promoted to prod version 1: 3 added, 0 removed", w.Events.Recorded[^1].Message);
            }),
        ["A promotion that holds is neither queued again nor reported again"] = new(
            Reconciled(PromotedAsync),
            StepOutcome.Done, Reasons.Promoted, "prod version 1 holds the selection of dev version 2",
            Ready(Reasons.Promoted), Queued: [], Events: [],
            Then: (w, _, _) => Assert.Single(w.Resources.Triggered)),
        ["A target changed since the last promotion is promoted again"] = new(
            Reconciled(PromotedAsync, w => w.Stored("prod").AddVersion(w.Time.GetUtcNow(), 1, 0)),
            StepOutcome.Wait, Reasons.PromotionQueued, "promote queued (task 2)",
            Waiting(Reasons.PromotionQueued), Queued: ["promote"], Events: []),
        ["A new source version is promoted"] = new(
            Reconciled(PromotedAsync, w => w.Stored("dev").AddVersion(w.Time.GetUtcNow(), 1, 0)),
            StepOutcome.Wait, Reasons.PromotionQueued, "promote queued (task 2)",
            Waiting(Reasons.PromotionQueued), Queued: ["promote"], Events: []),
        ["A failed promotion is retried with PromotionFailed and its cause"] = new(
            async w => await FailedAsync(w, Promotion(Repositories(w)), null, "copying dev into prod failed: disk full"),
            StepOutcome.Retry, Reasons.PromotionFailed, "copying dev into prod failed: disk full",
            Retrying(Reasons.PromotionFailed), Queued: [], Events: [Reasons.PromotionFailed]),
        ["A pinned source version that does not exist stalls with VersionNotFound"] = new(
            async w => await FailedAsync(w, Promotion(Repositories(w), p => p.Spec.SourceVersion = 9), Reasons.VersionNotFound, "Repository dev has no version 9"),
            StepOutcome.Stalled, Reasons.VersionNotFound, "spec.sourceVersion: Repository dev has no version 9",
            Stalled(Reasons.VersionNotFound), Queued: [], Events: [ConditionTypes.Stalled]),
        ["A source whose newest version went away meanwhile is retried with VersionNotFound"] = new(
            async w => await FailedAsync(w, Promotion(Repositories(w)), Reasons.VersionNotFound, "Repository dev has no version 2"),
            StepOutcome.Retry, Reasons.VersionNotFound, "Repository dev has no version 2",
            Retrying(Reasons.VersionNotFound), Queued: [], Events: [Reasons.VersionNotFound]),
        ["A failed promotion whose spec changed since is queued again with the new spec"] = new(
            async w =>
            {
                var promotion = await FailedAsync(w, Promotion(Repositories(w)), null, "disk full");
                promotion.Spec.Mode = PromotionMode.Replace;
                return promotion;
            },
            StepOutcome.Wait, Reasons.PromotionQueued, "promote queued (task 2)",
            Waiting(Reasons.PromotionQueued), Queued: ["promote"], Events: [],
            Then: (w, _, _) => Assert.Equal(PromotionMode.Replace, w.Tasks.Promotions[^1].Args.Mode)),
    };

    private static Func<ReconcileWorld, Task<Promotion>> Arrange(Func<ReconcileWorld, Promotion> arrange) => Arrangements.Given(arrange);

    private static Func<ReconcileWorld, Task<Promotion>> Reconciled(Func<ReconcileWorld, Promotion> arrange, Action<ReconcileWorld>? worker = null) =>
        Arrangements.Reconciled(Arrangements.Given(arrange), ReconcileAsync, worker);

    private static Func<ReconcileWorld, Task<Promotion>> Reconciled(Func<ReconcileWorld, Task<Promotion>> arrange, Action<ReconcileWorld>? worker = null) =>
        Arrangements.Reconciled(arrange, ReconcileAsync, worker);

    private static Task<StepResult> ReconcileAsync(ReconcileWorld world, Promotion promotion) =>
        new PromotionReconciler(world.Services, world.Resources, world.Resources).ReconcileAsync(promotion, CancellationToken.None);

    /// <summary>The Repositories "dev" (versions 0 to 2) and "prod" (version 0), with their engine records.</summary>
    private static ReconcileWorld Repositories(ReconcileWorld world)
    {
        world.AddRepository("dev", remote: null);
        world.AddRepository("prod", remote: null);
        var dev = world.Catalog.Add("default", "dev", "file", ReconcileWorld.Start);
        dev.AddVersion(ReconcileWorld.Start, 2, 0);
        dev.AddVersion(ReconcileWorld.Start, 1, 0);
        world.Catalog.Add("default", "prod", "file", ReconcileWorld.Start);
        return world;
    }

    private static Promotion Promotion(ReconcileWorld world) => Promotion(world, null);

    private static Promotion Promotion(ReconcileWorld world, Action<Promotion>? change)
    {
        var promotion = new Promotion
        {
            Metadata = ReconcileWorld.Meta("promote"),
            Spec = new PromotionSpec { SourceRef = new LocalObjectReference { Name = "dev" }, TargetRef = new LocalObjectReference { Name = "prod" } },
        };
        change?.Invoke(promotion);
        return promotion;
    }

    /// <summary>Queued, then carried out by a worker: prod version 1 with 3 units of dev version 2.</summary>
    private static async Task<Promotion> PromotedAsync(ReconcileWorld world)
    {
        var promotion = Promotion(Repositories(world));
        await ReconcileAsync(world, promotion);
        world.Stored("prod").AddVersion(world.Time.GetUtcNow(), 3, 0);
        world.Tasks.FinishPromote(Key, new PromoteReport(true, null, null, SourceVersion: 2, TargetVersion: 1, Created: true, Added: 3, Removed: 0));
        return promotion;
    }

    /// <summary>Queued, then failed by a worker with <paramref name="reason"/> (null: it ended without one) and <paramref name="message"/>.</summary>
    private static async Task<Promotion> FailedAsync(ReconcileWorld world, Promotion promotion, string? reason, string message)
    {
        await ReconcileAsync(world, promotion);
        world.Tasks.FinishPromote(Key, new PromoteReport(false, reason, message, 0, 0, false, 0, 0));
        return promotion;
    }
}
