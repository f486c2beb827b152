using Packyard.Engine.Sync;

namespace Packyard.Engine.Tasks;

/// <summary>
/// How a sync ended, as status.lastSync needs it: when it ran, the engine's outcome (version, counts) when it succeeded,
/// the condition reason and message when it failed. Stored in tasks.result by a worker; <see cref="Requested"/> is the
/// <c>packyard.io/requested-at</c> value the sync was started for, so the controller knows that request is handled.
/// </summary>
public sealed record SyncReport(
    bool Succeeded, DateTimeOffset StartTime, DateTimeOffset CompletionTime, SyncOutcome? Outcome, string? Reason, string? Message)
{
    public string? Requested { get; init; }

    /// <summary>
    /// How publishing the created version in the same task ended (<see cref="SyncTaskArgs.Publish"/>); null when none was asked,
    /// no version was created, or the publish was interrupted (the controller then queues a publish task).
    /// </summary>
    public PublishReport? Publication { get; init; }

    public static SyncReport Success(DateTimeOffset started, DateTimeOffset completed, SyncOutcome outcome) =>
        new(true, started, completed, outcome, null, null);

    public static SyncReport Failure(DateTimeOffset started, DateTimeOffset completed, string reason, string message) =>
        new(false, started, completed, null, reason, message);
}
