using Microsoft.Extensions.Logging;

namespace Packyard.ControllerRuntime;

/// <summary>Source-generated log messages of the controller runtime (the event ids the operator has always logged them with).</summary>
internal static partial class RuntimeLog
{
    public const int InformerSyncedId = 1100;
    public const int InformerRelistId = 1101;
    public const int InformerFailedId = 1102;
    public const int LeaderAcquiredId = 1110;
    public const int LeaderLostId = 1111;
    public const int LeaderElectionFailedId = 1112;
    public const int EventFailedId = 1124;

    [LoggerMessage(EventId = InformerSyncedId, Level = LogLevel.Information, Message = "Informer for {Kind} synced {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Synced(ILogger logger, string kind, int count, string resourceVersion);

    [LoggerMessage(EventId = InformerRelistId, Level = LogLevel.Information, Message = "Watch of {Kind} expired; listing again")]
    public static partial void Relist(ILogger logger, string kind);

    [LoggerMessage(EventId = InformerFailedId, Level = LogLevel.Warning, Message = "Informer for {Kind} failed; retrying")]
    public static partial void InformerFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(EventId = LeaderAcquiredId, Level = LogLevel.Information, Message = "{Identity} became leader (lease {Namespace}/{Lease})")]
    public static partial void LeaderAcquired(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(EventId = LeaderLostId, Level = LogLevel.Warning, Message = "{Identity} lost leadership (lease {Namespace}/{Lease})")]
    public static partial void LeaderLost(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(EventId = LeaderElectionFailedId, Level = LogLevel.Warning, Message = "Leader election request failed: {Error}")]
    public static partial void LeaderElectionFailed(ILogger logger, string error);

    [LoggerMessage(EventId = EventFailedId, Level = LogLevel.Warning, Message = "Could not record event {Reason} on {Kind} {Namespace}/{Name}: {Error}")]
    public static partial void EventFailed(ILogger logger, string kind, string @namespace, string name, string reason, string error);
}
