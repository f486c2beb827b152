namespace Packyard.Engine.Storage;

/// <summary>Log event ids of the storage area (5000–5099). To be merged into <c>PackyardEventIds</c>.</summary>
internal static class StorageEventIds
{
    public const int ArtifactStored = 5000;
    public const int ArtifactAlreadyStored = 5001;
    public const int ArtifactDeleted = 5002;
    public const int TemporaryFileDeleteFailed = 5003;
    public const int TemporaryFilesCleaned = 5004;
    public const int StoreOpened = 5005;

    public const int S3MultipartUploadStarted = 5020;
    public const int S3MultipartUploadAborted = 5021;
    public const int S3MultipartAbortFailed = 5022;
    public const int S3RequestFailed = 5023;
}
