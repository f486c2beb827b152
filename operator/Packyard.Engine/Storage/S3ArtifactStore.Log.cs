using Microsoft.Extensions.Logging;

namespace Packyard.Engine.Storage;

internal sealed partial class S3ArtifactStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = StorageEventIds.StoreOpened, Level = LogLevel.Information,
            Message = "S3 artifact store at {Endpoint}, bucket {Bucket}, prefix '{Prefix}'")]
        public static partial void StoreOpened(ILogger logger, string endpoint, string bucket, string prefix);

        [LoggerMessage(EventId = StorageEventIds.TemporaryFileDeleteFailed, Level = LogLevel.Warning,
            Message = "Could not delete spool file {Path}; CleanTemporaryFilesAsync will remove it later")]
        public static partial void TemporaryFileDeleteFailed(ILogger logger, string path);

        [LoggerMessage(EventId = StorageEventIds.TemporaryFilesCleaned, Level = LogLevel.Information,
            Message = "Removed {Count} stale spool files from {Directory}")]
        public static partial void TemporaryFilesCleaned(ILogger logger, int count, string directory);

        [LoggerMessage(EventId = StorageEventIds.S3MultipartUploadStarted, Level = LogLevel.Debug,
            Message = "Multipart upload of {Key} ({Size} bytes) in {Parts} parts")]
        public static partial void MultipartUploadStarted(ILogger logger, string key, long size, int parts);

        [LoggerMessage(EventId = StorageEventIds.S3MultipartUploadAborted, Level = LogLevel.Debug,
            Message = "Aborted multipart upload of {Key} after {Cause}")]
        public static partial void MultipartUploadAborted(ILogger logger, string key, string cause);

        [LoggerMessage(EventId = StorageEventIds.S3MultipartAbortFailed, Level = LogLevel.Warning,
            Message = "Could not abort multipart upload {UploadId} of {Key}; its parts stay until a bucket lifecycle rule removes them")]
        public static partial void MultipartAbortFailed(ILogger logger, Exception exception, string key, string uploadId);

        [LoggerMessage(EventId = StorageEventIds.S3RequestFailed, Level = LogLevel.Debug,
            Message = "{Operation} {Key} on {Endpoint} bucket {Bucket} failed: {Reason}")]
        public static partial void RequestFailed(ILogger logger, string operation, string endpoint, string bucket, string key, string reason);
    }
}
