using Packyard.Api.Resources;

namespace Packyard.Engine.Tasks;

/// <summary>
/// What a worker needs to run a sync from the database alone (tasks.args): the Remote's id (its resolved settings,
/// credentials included, are in remotes.config), the mode, and the fingerprint of settings the sync is made with, recorded on
/// success so the controller stops asking for it. <see cref="Requested"/> is the request annotation the sync answers.
/// </summary>
public sealed record SyncTaskArgs(string Repository, long RemoteId, SyncMode Mode, string Fingerprint, string? Requested)
{
    /// <summary>
    /// What this attempt is made with (every Remote setting and Secret, the mode, the request): failures count towards the
    /// backoff and the attempt limit only while it stays the same.
    /// </summary>
    public string? Attempt { get; init; }

    /// <summary>
    /// When set, the version this sync creates is published in the same claim, under the same repository lock, with these
    /// options (the signing key sealed, as in a publish task; its <see cref="PublishTaskArgs.Version"/> is replaced by the
    /// created version). A sync that creates no version publishes nothing. Null: the controller queues a publish task itself.
    /// </summary>
    public PublishTaskArgs? Publish { get; init; }
}

/// <summary>A queued or running sync task, as the controller shows it in status.</summary>
public sealed record SyncTicket(long Id, bool Running, string? Worker, DateTimeOffset Since, SyncTaskArgs Args)
{
    /// <summary>The progress its worker last recorded (tasks.progress); null before the first record.</summary>
    public TaskProgress? Progress { get; init; }

    /// <summary>The Reconciling message while the task waits or runs.</summary>
    public string Describe() => Running
        ? FormattableString.Invariant($"sync running on worker {Worker} since {Since:yyyy-MM-ddTHH:mm:ssZ} (task {Id})")
        : FormattableString.Invariant($"sync queued (task {Id}), waiting for a worker");
}
