using Microsoft.Extensions.Logging;

namespace Packyard.Engine.Storage;

public sealed partial class FileSystemArtifactStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = StorageEventIds.StoreOpened, Level = LogLevel.Information,
            Message = "Filesystem artifact store at {Root}")]
        public static partial void StoreOpened(ILogger logger, string root);

        [LoggerMessage(EventId = StorageEventIds.ArtifactStored, Level = LogLevel.Debug,
            Message = "Stored {Sha256} ({Size} bytes)")]
        public static partial void ArtifactStored(ILogger logger, string sha256, long size);

        [LoggerMessage(EventId = StorageEventIds.ArtifactAlreadyStored, Level = LogLevel.Debug,
            Message = "{Sha256} ({Size} bytes) is already stored")]
        public static partial void ArtifactAlreadyStored(ILogger logger, string sha256, long size);

        [LoggerMessage(EventId = StorageEventIds.ArtifactDeleted, Level = LogLevel.Debug,
            Message = "Deleted {Sha256}")]
        public static partial void ArtifactDeleted(ILogger logger, string sha256);

        [LoggerMessage(EventId = StorageEventIds.TemporaryFileDeleteFailed, Level = LogLevel.Warning,
            Message = "Could not delete temporary file {Path}; CleanTemporaryFilesAsync will remove it later")]
        public static partial void TemporaryFileDeleteFailed(ILogger logger, string path);

        [LoggerMessage(EventId = StorageEventIds.TemporaryFilesCleaned, Level = LogLevel.Information,
            Message = "Removed {Count} stale temporary files from {Directory}")]
        public static partial void TemporaryFilesCleaned(ILogger logger, int count, string directory);
    }
}
