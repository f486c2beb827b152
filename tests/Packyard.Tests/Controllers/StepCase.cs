using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Tests.Controllers.Fakes;

namespace Packyard.Tests.Controllers;

/// <summary>
/// One row of a reconciler's step table, as Flux's reconciler tests write them: the state before (<see cref="Arrange"/> builds
/// it in a fresh <see cref="ReconcileWorld"/>, reconciling and playing the worker as needed), and what the reconcile under test
/// must end with: its result (a fragment of the message), the full list of conditions (type, status, reason), the kinds of
/// task it queued, the reasons of the events it recorded (null: not checked), and any further checks.
/// </summary>
internal sealed record StepCase<T>(
    Func<ReconcileWorld, Task<T>> Arrange,
    StepOutcome Outcome,
    string Reason,
    string Message,
    (string Type, string Status, string Reason)[] Conditions,
    string[] Queued,
    string[]? Events,
    Action<ReconcileWorld, T, StepResult>? Then = null)
{
    /// <summary>Arranges the case, reconciles once with <paramref name="reconcile"/> and checks everything the row states.</summary>
    public async Task RunAsync(Func<ReconcileWorld, T, Task<StepResult>> reconcile, Func<T, ResourceStatus?> status)
    {
        var world = new ReconcileWorld();
        var resource = await Arrange(world);
        var queued = Queues(world);
        var events = world.Events.Recorded.Count;

        var result = await reconcile(world, resource);

        Assert.Equal((Outcome, Reason), (result.Outcome, result.Reason));
        Assert.Contains(Message, result.Message, StringComparison.Ordinal);
        Assert.Equal(Conditions, (status(resource)?.Conditions ?? []).Select(c => (c.Type, c.Status.ToString(), c.Reason)).ToArray());
        Assert.Equal(Queued, Queues(world).Zip(queued, (after, before) => Enumerable.Repeat(after.Kind, after.Count - before.Count)).SelectMany(k => k));
        if (Events is not null)
        {
            Assert.Equal(Events, world.Events.Recorded.Skip(events).Select(e => e.Reason));
        }

        Then?.Invoke(world, resource, result);
    }

    private static (string Kind, int Count)[] Queues(ReconcileWorld world) =>
        [("sync", world.Syncs.Queued.Count), ("publish", world.Tasks.Publishes.Count), ("promote", world.Tasks.Promotions.Count)];
}
