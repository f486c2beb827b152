using Packyard.ControllerRuntime;
using Packyard.Controllers;
using Packyard.Runtime;

namespace Packyard.Tests.Runtime;

/// <summary>The one mapping of a reconcile's result to its requeue, shared by both modes.</summary>
public sealed class RequeuePolicyTests
{
    private static readonly TimeSpan Resync = TimeSpan.FromMinutes(10);

    public static TheoryData<string, StepResult, Requeue> Cases() => new()
    {
        { "done without a requeue is forgotten", StepResult.Done("Succeeded", ""), Requeue.Forget },
        { "done with a schedule comes back then", StepResult.Done("Succeeded", "", TimeSpan.FromMinutes(3)), Requeue.After(TimeSpan.FromMinutes(3)) },
        { "done with a schedule past the resync comes back at the resync", StepResult.Done("Succeeded", "", TimeSpan.FromHours(5)), Requeue.After(Resync) },
        { "a stall waits for a change", StepResult.Stalled("InvalidSpec", "bad"), Requeue.Forget },
        { "continue (nothing left to do) is forgotten", StepResult.Continue, Requeue.Forget },
        { "requeue comes back at once", StepResult.Requeue, Requeue.Now },
        { "a wait comes back after its delay", StepResult.Wait("SyncQueued", "", TimeSpan.FromSeconds(3)), Requeue.After(TimeSpan.FromSeconds(3)) },
        { "a wait without a delay comes back after the default", new StepResult(StepOutcome.Wait, "ReferenceNotFound"), Requeue.After(RequeuePolicy.DefaultWait) },
        { "a retry without a time backs off", StepResult.Retry("InfrastructureUnavailable", ""), Requeue.RateLimited },
        { "a retry at a time (a sync's backoff) comes back then", StepResult.Retry("SyncFailed", "", TimeSpan.FromSeconds(8)), Requeue.After(TimeSpan.FromSeconds(8)) },
        { "a retry past the resync comes back at the resync", StepResult.Retry("SyncFailed", "", TimeSpan.FromDays(1)), Requeue.After(Resync) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_step_result_maps_to_one_requeue(string description, StepResult result, Requeue expected)
    {
        Assert.True(expected == RequeuePolicy.For(result, Resync), $"{description}: {RequeuePolicy.For(result, Resync)}, not {expected}");
    }
}
