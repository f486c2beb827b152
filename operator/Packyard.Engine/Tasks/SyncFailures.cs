namespace Packyard.Engine.Tasks;

/// <summary>
/// The syncs of a repository that failed since its last successful sync, newest first, as far as they were made with the same
/// attempt (<see cref="SyncTaskArgs.Attempt"/>) as the newest: how many, when the newest ended and why, and how many of them
/// ended without a result of their own (the sync threw, or its worker died), which <c>--task-max-attempts</c> limits.
/// </summary>
public sealed record SyncFailures(int Count, int Unexpected, DateTimeOffset LastFinished, string? LastAttempt, string Reason, string Message, long LastTaskId);
