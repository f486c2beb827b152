namespace Packyard.Engine;

/// <summary>Log event ids by area: 1000 controllers, 2000 sync, 3000 publish, 4000 content app, 5000 storage, 6000 database.</summary>
public static class PackyardEventIds
{
    public const int ReconcileStarted = 1000;
    public const int ReconcileFinished = 1001;
    public const int ReconcileFailed = 1002;
    public const int ManifestsLoaded = 1010;

    public const int SyncStarted = 2000;
    public const int SyncFinished = 2001;
    public const int SyncFailed = 2002;
    public const int DownloadRetry = 2003;
    public const int SyncUpstreamUnchanged = 2004;
    public const int VersionCreated = 2010;
    public const int VersionsPruned = 2011;
    public const int Promoted = 2020;
    public const int OrphansCleaned = 2030;
    public const int DeletedRepositoryExpired = 2031;
    public const int StoreOrphansSwept = 2035;
    public const int AbandonedPushesDropped = 2036;
    public const int ArtifactsRepaired = 2040;

    public const int Published = 3000;
    public const int Republished = 3001;

    public const int OnDemandFetch = 4000;
    public const int ServeFailed = 4001;
    public const int PullThrough = 4002;
    public const int PullThroughFailed = 4003;
    public const int UploadFailed = 4010;
    public const int ArtifactRefetch = 4040;

    public const int MigrationApplied = 6000;
    public const int DatabaseStarted = 6001;
}
