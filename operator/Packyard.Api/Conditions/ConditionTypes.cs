namespace Packyard.Api.Conditions;

/// <summary>Condition types (kstatus). Ready has positive polarity; Reconciling and Stalled negative (True means "not done").</summary>
public static class ConditionTypes
{
    /// <summary>Positive polarity: the desired state is realised for the current generation.</summary>
    public const string Ready = "Ready";

    /// <summary>Negative polarity: work is in progress.</summary>
    public const string Reconciling = "Reconciling";

    /// <summary>Negative polarity: no progress is possible without a spec change.</summary>
    public const string Stalled = "Stalled";

    /// <summary>
    /// Negative polarity (Repository): present, True, only while the last sync failed, with the failure's reason and message;
    /// removed when a sync succeeds.
    /// </summary>
    public const string SyncFailed = "SyncFailed";

    /// <summary>
    /// Negative polarity (Repository): present, True, only while the last publish failed, with the failure's reason and
    /// message; removed when a publish succeeds (or nothing is left to publish).
    /// </summary>
    public const string PublishFailed = "PublishFailed";
}

/// <summary>Condition reasons (CamelCase, stable: users and tooling match on them).</summary>
public static class Reasons
{
    public const string Succeeded = "Succeeded";
    public const string Progressing = "Progressing";
    public const string InvalidSpec = "InvalidSpec";
    public const string ReferenceNotFound = "ReferenceNotFound";
    public const string TypeMismatch = "TypeMismatch";
    public const string BasePathConflict = "BasePathConflict";
    public const string SyncFailed = "SyncFailed";
    public const string SyncSucceeded = "SyncSucceeded";

    /// <summary>Reconciling: a sync task is queued and no worker has claimed it yet.</summary>
    public const string SyncQueued = "SyncQueued";

    /// <summary>Reconciling: a worker is running the repository's sync.</summary>
    public const string SyncRunning = "SyncRunning";

    public const string PublishFailed = "PublishFailed";

    /// <summary>Reconciling: a publish task is queued and no worker has claimed it yet.</summary>
    public const string PublishQueued = "PublishQueued";

    /// <summary>Reconciling: a worker is publishing the version.</summary>
    public const string PublishRunning = "PublishRunning";
    public const string Published = "Published";
    public const string Promoted = "Promoted";
    public const string PromotionFailed = "PromotionFailed";

    /// <summary>Reconciling: a promote task is queued and no worker has claimed it yet (it waits while another task holds the target).</summary>
    public const string PromotionQueued = "PromotionQueued";

    /// <summary>Reconciling: a worker is promoting into the target repository.</summary>
    public const string PromotionRunning = "PromotionRunning";
    public const string Suspended = "Suspended";

    /// <summary>Event (Normal): a Repository was deleted; the message says until when its versions are kept.</summary>
    public const string Deleted = "Deleted";

    /// <summary>Event (Normal): a re-created Repository got back the versions kept since its deletion.</summary>
    public const string Restored = "Restored";
    public const string WaitingForPublication = "WaitingForPublication";
    public const string VersionNotFound = "VersionNotFound";

    /// <summary>A Promotion's spec.select (or one of its names) matches nothing in the source version; retried, as the source may change.</summary>
    public const string NothingSelected = "NothingSelected";
    public const string SecretNotFound = "SecretNotFound";

    /// <summary>Stalled: a referenced Secret exists but its content is unusable (a PEM that does not parse).</summary>
    public const string InvalidSecret = "InvalidSecret";

    /// <summary>Retry: a reconcile step threw something no step expected; the resource is retried with backoff.</summary>
    public const string ReconcileError = "ReconcileError";

    /// <summary>A sync threw something the engine does not expect (a bug or a poison input), as opposed to a sync that failed.</summary>
    public const string UnexpectedError = "UnexpectedError";
}
