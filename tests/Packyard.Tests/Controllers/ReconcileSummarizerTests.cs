using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Controllers;

namespace Packyard.Tests.Controllers;

/// <summary>
/// The negative-polarity conditions of a Repository (SyncFailed, PublishFailed) as the summarizer writes them from the
/// outcomes of the steps that own them, table-driven as Flux's reconciler tests are: each case states the outcome and the
/// full list of conditions it leaves.
/// </summary>
public sealed class ReconcileSummarizerTests
{
    private static readonly DateTimeOffset Earlier = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Earlier.AddMinutes(5);

    private const string UpstreamDown = "SyncFailedUpstreamUnavailable";

    public static TheoryData<string> Cases() => [.. Table.Keys];

    private static readonly Dictionary<string, Case> Table = new(StringComparer.Ordinal)
    {
        ["A failed sync makes SyncFailed True with its reason"] = new(
            Before: [],
            Owned: new() { [ConditionTypes.SyncFailed] = StepResult.Retry(UpstreamDown, "sync failed: 127.0.0.1:9: connection refused") },
            Expected: [("Reconciling", "True", "ProgressingWithRetry"), ("Ready", "False", UpstreamDown), ("SyncFailed", "True", UpstreamDown)]),
        ["A sync retried on a worker after a failure keeps SyncFailed True"] = new(
            Before: [Failed(ConditionTypes.SyncFailed, UpstreamDown)],
            Owned: new() { [ConditionTypes.SyncFailed] = StepResult.Wait(UpstreamDown, "sync failed: refused; retrying: task 7 queued", TimeSpan.FromSeconds(15)) },
            Expected: [("Reconciling", "True", UpstreamDown), ("Ready", "False", UpstreamDown), ("SyncFailed", "True", UpstreamDown)]),
        ["Syncs that keep failing until the attempt limit stall with SyncFailed True"] = new(
            Before: [],
            Owned: new() { [ConditionTypes.SyncFailed] = StepResult.Stalled(Reasons.SyncFailed + Reasons.UnexpectedError, "sync failed: boom (gave up)") },
            Expected: [("Stalled", "True", "SyncFailedUnexpectedError"), ("Ready", "False", "SyncFailedUnexpectedError"), ("SyncFailed", "True", "SyncFailedUnexpectedError")]),
        ["A successful sync and publish remove SyncFailed and PublishFailed"] = new(
            Before: [Failed(ConditionTypes.SyncFailed, UpstreamDown), Failed(ConditionTypes.PublishFailed, Reasons.PublishFailed)],
            Owned: new() { [ConditionTypes.SyncFailed] = StepResult.Continue, [ConditionTypes.PublishFailed] = StepResult.Continue },
            Expected: [("Ready", "True", Reasons.Succeeded)]),
        ["A failed publish after a successful sync makes PublishFailed True and removes SyncFailed"] = new(
            Before: [Failed(ConditionTypes.SyncFailed, UpstreamDown)],
            Owned: new()
            {
                [ConditionTypes.SyncFailed] = StepResult.Continue,
                [ConditionTypes.PublishFailed] = StepResult.Retry(Reasons.PublishFailed, "publishing version 3 failed: No space left on device"),
            },
            Expected: [("Reconciling", "True", "ProgressingWithRetry"), ("Ready", "False", Reasons.PublishFailed), ("PublishFailed", "True", Reasons.PublishFailed)]),
        ["A reconcile that stops before the sync (Remote not found) leaves SyncFailed as it was"] = new(
            Before: [Failed(ConditionTypes.SyncFailed, UpstreamDown)],
            Owned: new(),
            Expected: [("Reconciling", "True", Reasons.ReferenceNotFound), ("Ready", "False", Reasons.ReferenceNotFound), ("SyncFailed", "True", UpstreamDown)]),
        ["A sync waiting for a worker leaves SyncFailed as it was"] = new(
            Before: [],
            Owned: new() { [ConditionTypes.SyncFailed] = StepResult.Wait(Reasons.SyncQueued, "task 8 queued", TimeSpan.FromSeconds(15)) },
            Expected: [("Reconciling", "True", Reasons.SyncQueued), ("Ready", "False", Reasons.SyncQueued)]),
        ["An invalid schedule stalls the sync step without saying a sync failed"] = new(
            Before: [],
            Owned: new() { [ConditionTypes.SyncFailed] = StepResult.Stalled(Reasons.InvalidSpec, "spec.sync.schedule: not a cron expression") },
            Expected: [("Stalled", "True", Reasons.InvalidSpec), ("Ready", "False", Reasons.InvalidSpec)]),
        ["A publish without its signing key stalls without saying a publish failed"] = new(
            Before: [],
            Owned: new() { [ConditionTypes.SyncFailed] = StepResult.Continue, [ConditionTypes.PublishFailed] = StepResult.Stalled(Reasons.SecretNotFound, "Secret default/key not found") },
            Expected: [("Stalled", "True", Reasons.SecretNotFound), ("Ready", "False", Reasons.SecretNotFound)]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Negative_polarity_conditions_follow_the_outcome_of_their_step(string name)
    {
        var test = Table[name];
        var repository = Repository(test.Before);
        var result = Final(test.Owned, name);

        ReconcileSummarizer.Summarize(repository, result, Now, new NoEvents(), test.Owned);

        Assert.Equal(test.Expected, repository.Status!.Conditions!.Select(c => (c.Type, c.Status.ToString(), c.Reason)).ToList());
    }

    [Fact]
    public void SyncFailed_carries_the_sanitised_message_and_keeps_its_transition_time_while_the_failure_stays_the_same()
    {
        var repository = Repository([]);
        var failure = StepResult.Retry(UpstreamDown, "sync failed: GET https://reader:hunter2@upstream.example/PULP_MANIFEST?token=s3cret: 503");
        ReconcileSummarizer.Summarize(repository, failure, Earlier, new NoEvents(), new Dictionary<string, StepResult> { [ConditionTypes.SyncFailed] = failure });

        ReconcileSummarizer.Summarize(repository, failure, Now, new NoEvents(), new Dictionary<string, StepResult> { [ConditionTypes.SyncFailed] = failure });

        var condition = Assert.Single(repository.Status!.Conditions!, c => c.Type == ConditionTypes.SyncFailed);
        Assert.DoesNotContain("hunter2", condition.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", condition.Message, StringComparison.Ordinal);
        Assert.Contains("upstream.example/PULP_MANIFEST", condition.Message, StringComparison.Ordinal);
        Assert.Equal(Earlier, condition.LastTransitionTime);
        Assert.Equal(3, condition.ObservedGeneration);
    }

    [Fact]
    public void Giving_up_after_retries_with_the_same_reason_records_one_Stalled_warning_and_a_repeated_stall_none()
    {
        const string gaveUp = "SyncFailedUnexpectedError";
        var repository = Repository([]);
        var events = new Fakes.RecordingEvents();
        ReconcileSummarizer.Summarize(repository, StepResult.Wait(gaveUp, "sync failed: boom; retrying: sync queued (task 2)", TimeSpan.FromSeconds(15)), Earlier, events);

        ReconcileSummarizer.Summarize(repository, StepResult.Stalled(gaveUp, "sync failed: boom (gave up after 5 attempts)"), Now, events);
        ReconcileSummarizer.Summarize(repository, StepResult.Stalled(gaveUp, "sync failed: boom (gave up after 5 attempts)"), Now, events);

        Assert.Equal([(true, ConditionTypes.Stalled, $"{gaveUp}: sync failed: boom (gave up after 5 attempts)")], events.Recorded.Select(e => (e.Warning, e.Reason, e.Message)));
    }

    /// <summary>The reconcile's result: the first owned outcome that stops it, else Done, else a missing Remote.</summary>
    private static StepResult Final(Dictionary<string, StepResult> owned, string name) =>
        owned.Values.FirstOrDefault(r => r.Outcome is not StepOutcome.Continue) is { Outcome: not StepOutcome.Continue } stop ? stop
        : owned.Count > 0 ? StepResult.Done(Reasons.Succeeded, "version 3 with 10 units")
        : StepResult.Wait(Reasons.ReferenceNotFound, $"spec.remoteRef not found ({name})", TimeSpan.FromSeconds(30));

    private static Condition Failed(string type, string reason) => new()
    {
        Type = type, Status = ConditionStatus.True, Reason = reason, Message = "sync failed: earlier", ObservedGeneration = 3, LastTransitionTime = Earlier,
    };

    private static Repository Repository(List<Condition> conditions)
    {
        var repository = new Repository { Spec = new RepositorySpec { Type = ContentType.File }, Status = new RepositoryStatus { Conditions = conditions } };
        repository.Metadata.Name = "example";
        repository.Metadata.NamespaceProperty = "default";
        repository.Metadata.Generation = 3;
        return repository;
    }

    private sealed record Case(List<Condition> Before, Dictionary<string, StepResult> Owned, List<(string, string, string)> Expected);

    private sealed class NoEvents : IEventRecorder
    {
        public void Record(string kind, string ns, string name, bool warning, string reason, string message)
        {
        }
    }
}
