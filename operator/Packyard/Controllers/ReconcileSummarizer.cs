using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.Engine.Downloads;

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
        Reasons.SyncQueued, Reasons.SyncRunning, Reasons.PublishQueued, Reasons.PublishRunning, Reasons.PromotionQueued,
        Reasons.PromotionRunning,
    ];

    /// <summary>Ready=False because something failed and is retried (not stalled, not waiting for work or a reference).</summary>
    private static bool Failing(ResourceStatus status, (ConditionStatus Status, string Reason) ready) =>
        ready.Status == ConditionStatus.False && ConditionSet.Get(status, ConditionTypes.Stalled) is null
        && (ready.Reason.StartsWith(Reasons.SyncFailed, StringComparison.Ordinal) || ready.Reason == Reasons.PublishFailed
            || ConditionSet.Get(status, ConditionTypes.Reconciling)?.Reason == "ProgressingWithRetry");

    /// <param name="owned">
    /// The outcome of each step that owns a negative-polarity condition (Repository: SyncFailed, PublishFailed), by condition
    /// type, for the steps that ran; see <see cref="SetNegativePolarity"/>.
    /// </param>
    public static void Summarize<TSpec, TStatus>(PackyardResource<TSpec, TStatus> resource, StepResult result, DateTimeOffset now, IEventRecorder events,
        IReadOnlyDictionary<string, StepResult>? owned = null)
        where TSpec : new()
        where TStatus : ResourceStatus, new()
    {
        var status = resource.Status ??= new TStatus();
        var generation = resource.Metadata.Generation;
        SetNegativePolarity(status, owned ?? new Dictionary<string, StepResult>(), generation, now);
        (ConditionStatus Status, string Reason) before = ConditionSet.Get(status, ConditionTypes.Ready) is { } ready ? (ready.Status, ready.Reason) : (ConditionStatus.Unknown, "");
        var wasStalled = ConditionSet.IsTrue(status, ConditionTypes.Stalled);
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
        // Becoming Stalled is a transition even when Ready keeps its reason (syncs retried with SyncFailed… until they give up).
        if (after is null || ((after.Status, after.Reason) == before && (result.Outcome != StepOutcome.Stalled || wasStalled)))
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

    /// <summary>
    /// Negative-polarity conditions, as Flux's FetchFailed and StorageOperationFailed: present only while the last attempt
    /// of their step failed. A failure of the owning step (its reason starts with the condition type, e.g. SyncFailed,
    /// SyncFailedDigestMismatch, PublishFailed) makes the condition True with that reason and the sanitised message; the
    /// step going on (Continue) removes it; any other outcome (queued on a worker, another process holding the repository)
    /// leaves it as it was, and so does a reconcile that stopped before the step.
    /// </summary>
    private static void SetNegativePolarity(ResourceStatus status, IReadOnlyDictionary<string, StepResult> owned, long? generation, DateTimeOffset now)
    {
        foreach (var (type, outcome) in owned)
        {
            if (outcome.Outcome is StepOutcome.Continue or StepOutcome.Done)
            {
                ConditionSet.Delete(status, type);
            }
            else if (outcome.Reason.StartsWith(type, StringComparison.Ordinal))
            {
                ConditionSet.MarkTrue(status, type, outcome.Reason, UrlSanitizer.Sanitize(outcome.Message), generation, now);
            }
        }
    }
}
