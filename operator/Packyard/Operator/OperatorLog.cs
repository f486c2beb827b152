using Microsoft.Extensions.Logging;

namespace Packyard.Operator;

/// <summary>
/// Source-generated log messages of the operator (event ids 1100–1199, in the controllers' 1000 area; the controller runtime's
/// informers, leader election and event recorder log 1100–1112 and 1124 from Packyard.ControllerRuntime).
/// </summary>
internal static partial class OperatorLog
{
    public const int CachesSyncedId = 1120;
    public const int ReconciledId = 1121;
    public const int ReconcileFailedId = 1122;
    public const int FinalizedId = 1123;
    public const int OperatorStartedId = 1125;
    public const int TaskClaimedId = 1130;
    public const int TaskReclaimedId = 1131;
    public const int TaskFinishedId = 1132;
    public const int TaskReleasedId = 1133;
    public const int TaskLostId = 1134;
    public const int TaskQueueFailedId = 1135;
    public const int ListenFailedId = 1136;

    [LoggerMessage(EventId = CachesSyncedId, Level = LogLevel.Information, Message = "Caches synced; {Count} resources queued for their first reconcile")]
    public static partial void CachesSynced(ILogger logger, int count);

    [LoggerMessage(EventId = ReconciledId, Level = LogLevel.Debug, Message = "Reconciled {Kind} {Namespace}/{Name}: {Result} in {Milliseconds} ms")]
    public static partial void Reconciled(ILogger logger, string kind, string @namespace, string name, string result, long milliseconds);

    [LoggerMessage(EventId = ReconcileFailedId, Level = LogLevel.Warning, Message = "Reconcile of {Kind} {Namespace}/{Name} failed; retrying with backoff")]
    public static partial void ReconcileFailed(ILogger logger, string kind, string @namespace, string name, Exception exception);

    [LoggerMessage(EventId = FinalizedId, Level = LogLevel.Information, Message = "{Kind} {Namespace}/{Name} cleaned up; finalizer removed")]
    public static partial void Finalized(ILogger logger, string kind, string @namespace, string name);

    [LoggerMessage(EventId = OperatorStartedId, Level = LogLevel.Information, Message = "packyard operator {Identity} started: roles {Roles}, API server {Server}, namespace {Namespace}")]
    public static partial void OperatorStarted(ILogger logger, string identity, string roles, string server, string @namespace);

    [LoggerMessage(EventId = TaskClaimedId, Level = LogLevel.Information, Message = "Worker {Worker} claimed task {Task}: {Subject}")]
    public static partial void TaskClaimed(ILogger logger, string worker, long task, string subject);

    [LoggerMessage(EventId = TaskReclaimedId, Level = LogLevel.Warning, Message = "Worker {Worker} reclaimed task {Task} ({Subject}, attempt {Attempt}) from worker {Previous}, which stopped")]
    public static partial void TaskReclaimed(ILogger logger, string worker, long task, string subject, int attempt, string previous);

    [LoggerMessage(EventId = TaskFinishedId, Level = LogLevel.Information, Message = "Task {Task} ({Subject}) {Result} in {Milliseconds} ms")]
    public static partial void TaskFinished(ILogger logger, long task, string subject, string result, long milliseconds);

    [LoggerMessage(EventId = TaskReleasedId, Level = LogLevel.Information, Message = "Worker {Worker} stopping: task {Task} ({Subject}) released for another worker")]
    public static partial void TaskReleased(ILogger logger, string worker, long task, string subject);

    [LoggerMessage(EventId = TaskLostId, Level = LogLevel.Warning, Message = "Task {Task} ({Subject}) is no longer this worker's (taken over, cancelled, or its repository was deleted); abandoned")]
    public static partial void TaskLost(ILogger logger, long task, string subject);

    [LoggerMessage(EventId = TaskQueueFailedId, Level = LogLevel.Warning, Message = "Task queue unavailable; retrying")]
    public static partial void TaskQueueFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = ListenFailedId, Level = LogLevel.Warning, Message = "LISTEN {Channel} failed; reconnecting")]
    public static partial void ListenFailed(ILogger logger, string channel, Exception exception);
}
