using Microsoft.Extensions.Logging;

namespace Packyard.Engine;

/// <summary>Source-generated log messages of the engine.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = PackyardEventIds.MigrationApplied, Level = LogLevel.Information, Message = "Applied database migration {Version} {Name}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(EventId = PackyardEventIds.SyncStarted, Level = LogLevel.Information, Message = "Sync of {Repository} from {Remote} started ({Policy}, {Mode})")]
    public static partial void SyncStarted(ILogger logger, string repository, string remote, string policy, string mode);

    [LoggerMessage(EventId = PackyardEventIds.SyncFinished, Level = LogLevel.Information, Message = "Sync of {Repository} finished: {Declared} units declared, {Downloaded} artifacts downloaded, version {Version}")]
    public static partial void SyncFinished(ILogger logger, string repository, long declared, long downloaded, long version);

    [LoggerMessage(EventId = PackyardEventIds.SyncUpstreamUnchanged, Level = LogLevel.Information, Message = "Sync of {Repository}: upstream unchanged since the sync that made version {Version}; nothing staged")]
    public static partial void SyncUpstreamUnchanged(ILogger logger, string repository, long version);

    [LoggerMessage(EventId = PackyardEventIds.ArtifactsRepaired, Level = LogLevel.Warning, Message = "Sync of {Repository}: {Missing} of {Checked} stored artifacts were missing from the artifact store; {Repaired} downloaded again")]
    public static partial void ArtifactsRepaired(ILogger logger, string repository, long missing, long @checked, long repaired);

    [LoggerMessage(EventId = PackyardEventIds.DownloadRetry, Level = LogLevel.Warning, Message = "Retrying {Url} (attempt {Attempt}): {Reason}")]
    public static partial void DownloadRetry(ILogger logger, string url, int attempt, string reason);

    [LoggerMessage(EventId = PackyardEventIds.VersionCreated, Level = LogLevel.Information, Message = "Repository {Repository} version {Version} created: {Added} added, {Removed} removed")]
    public static partial void VersionCreated(ILogger logger, string repository, long version, long added, long removed);

    [LoggerMessage(EventId = PackyardEventIds.VersionsPruned, Level = LogLevel.Information, Message = "Repository {Repository}: pruned {Count} versions older than {Oldest}")]
    public static partial void VersionsPruned(ILogger logger, string repository, int count, long oldest);

    [LoggerMessage(EventId = PackyardEventIds.Published, Level = LogLevel.Information, Message = "Repository {Repository} version {Version} published ({Files} metadata files)")]
    public static partial void Published(ILogger logger, string repository, long version, int files);

    [LoggerMessage(EventId = PackyardEventIds.Republished, Level = LogLevel.Information,
        Message = "Repository {Repository} version {Version} published again with the changed publish options ({Files} metadata files)")]
    public static partial void Republished(ILogger logger, string repository, long version, int files);

    [LoggerMessage(EventId = PackyardEventIds.OnDemandFetch, Level = LogLevel.Information, Message = "Fetching {Path} on demand from its remote")]
    public static partial void OnDemandFetch(ILogger logger, string path);
}
