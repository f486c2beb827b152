using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Api.Schema;

namespace Packyard.Controllers;

/// <summary>
/// The one place that turns a reconcile's <see cref="StepResult"/> into kstatus conditions, observedGeneration,
/// lastHandledRequest and events. Events are emitted for transitions only.
/// </summary>
public static class ReconcileSummarizer
{
    /// <summary>Ready=False reasons that mean "work in progress", not a failure: Ready turning True after them is no recovery.</summary>
    private static readonly HashSet<string> InProgressReasons =
    [
        Reasons.SyncQueued, Reasons.SyncRunning, Reasons.SyncInProgress, Reasons.PublishQueued, Reasons.PublishRunning, Reasons.PromotionQueued,
        Reasons.PromotionRunning,
    ];

    /// <summary>Ready=False because something failed and is retried (not stalled, not waiting for work or a reference).</summary>
    private static bool Failing(ResourceStatus status, (ConditionStatus Status, string Reason) ready) =>
        ready.Status == ConditionStatus.False && ConditionSet.Get(status, ConditionTypes.Stalled) is null
        && (ready.Reason.StartsWith(Reasons.SyncFailed, StringComparison.Ordinal) || ready.Reason == Reasons.PublishFailed
            || ConditionSet.Get(status, ConditionTypes.Reconciling)?.Reason == "ProgressingWithRetry");

    public static void Summarize<TSpec, TStatus>(PackyardResource<TSpec, TStatus> resource, StepResult result, DateTimeOffset now, IEventRecorder events)
        where TSpec : new()
        where TStatus : ResourceStatus, new()
    {
        var status = resource.Status ??= new TStatus();
        var generation = resource.Metadata.Generation;
        (ConditionStatus Status, string Reason) before = ConditionSet.Get(status, ConditionTypes.Ready) is { } ready ? (ready.Status, ready.Reason) : (ConditionStatus.Unknown, "");
        switch (result.Outcome)
        {
            case StepOutcome.Done or StepOutcome.Continue:
                ConditionSet.Delete(status, ConditionTypes.Reconciling);
                ConditionSet.Delete(status, ConditionTypes.Stalled);
                ConditionSet.MarkTrue(status, ConditionTypes.Ready, result.Reason.Length > 0 ? result.Reason : Reasons.Succeeded, result.Message, generation, now);
                status.ObservedGeneration = generation;
                break;
            case StepOutcome.Stalled:
                ConditionSet.MarkStalled(status, result.Reason, result.Message, generation, now);
                ConditionSet.MarkFalse(status, ConditionTypes.Ready, result.Reason, result.Message, generation, now);
                status.ObservedGeneration = generation;
                break;
            case StepOutcome.Wait when InProgressReasons.Contains(result.Reason) && Failing(status, before):
                // Work queued or running after a failure (the publish that follows a sync which recovered): Ready keeps the
                // failure until the resource is Ready again, so that end is reported as the recovery it is.
                ConditionSet.MarkReconciling(status, result.Reason, result.Message, generation, now);
                break;
            case StepOutcome.Retry or StepOutcome.Wait:
                ConditionSet.MarkReconciling(status, result.Outcome == StepOutcome.Retry ? "ProgressingWithRetry" : result.Reason, result.Message, generation, now);
                ConditionSet.MarkFalse(status, ConditionTypes.Ready, result.Reason, result.Message, generation, now);
                break;
            case StepOutcome.Requeue:
                break;
        }

        // A request is handled when its reconcile ends (Done, Stalled, or a failure to retry), not while it waits for a worker
        // or a reference.
        if (result.Outcome is not StepOutcome.Wait
            && resource.Metadata.Annotation(PackyardGroup.RequestedAtAnnotation) is { } requested)
        {
            status.LastHandledRequest = requested;
        }

        var after = ConditionSet.Get(status, ConditionTypes.Ready);
        if (after is null || (after.Status, after.Reason) == before)
        {
            return;
        }

        if (after.Status == ConditionStatus.False && result.Outcome == StepOutcome.Stalled)
        {
            // One event reason for "needs a human" (kstatus Stalled); the precise reason leads the message.
            events.Record(resource.Kind, resource.Namespace, resource.Name, warning: true, ConditionTypes.Stalled, $"{after.Reason}: {after.Message}");
        }
        else if (after.Status == ConditionStatus.False && result.Outcome == StepOutcome.Retry)
        {
            events.Record(resource.Kind, resource.Namespace, resource.Name, warning: true, after.Reason, after.Message);
        }
        else if (after.Status == ConditionStatus.True && before.Status == ConditionStatus.False && !InProgressReasons.Contains(before.Reason))
        {
            // Recovery from a failure; the end of a sync that waited for or ran on a worker is not one.
            events.Record(resource.Kind, resource.Namespace, resource.Name, warning: false, Reasons.Succeeded, after.Message);
        }
    }
}
