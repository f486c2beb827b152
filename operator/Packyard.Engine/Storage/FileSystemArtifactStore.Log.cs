using Microsoft.Extensions.Logging;

namespace Packyard.Engine.Storage;

internal sealed partial class FileSystemArtifactStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = StorageEventIds.StoreOpened, Level = LogLevel.Information,
            Message = "Filesystem artifact store at {Root}")]
        public static partial void StoreOpened(ILogger logger, string root);

        [LoggerMessage(EventId = StorageEventIds.TemporaryFileDeleteFailed, Level = LogLevel.Warning,
            Message = "Could not delete temporary file {Path}; CleanTemporaryFilesAsync will remove it later")]
        public static partial void TemporaryFileDeleteFailed(ILogger logger, string path);

        [LoggerMessage(EventId = StorageEventIds.TemporaryFilesCleaned, Level = LogLevel.Information,
            Message = "Removed {Count} stale temporary files from {Directory}")]
        public static partial void TemporaryFilesCleaned(ILogger logger, int count, string directory);
    }
}
