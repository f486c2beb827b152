using Microsoft.Extensions.Logging;

namespace Packyard.Engine.Storage;

/// <summary>Log messages every artifact store writes the same way; store-specific ones stay in each store's nested Log.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = StorageEventIds.ArtifactStored, Level = LogLevel.Debug,
        Message = "Stored {Sha256} ({Size} bytes)")]
    public static partial void ArtifactStored(ILogger logger, string sha256, long size);

    [LoggerMessage(EventId = StorageEventIds.ArtifactAlreadyStored, Level = LogLevel.Debug,
        Message = "{Sha256} ({Size} bytes) is already stored")]
    public static partial void ArtifactAlreadyStored(ILogger logger, string sha256, long size);

    [LoggerMessage(EventId = StorageEventIds.ArtifactDeleted, Level = LogLevel.Debug,
        Message = "Deleted {Sha256}")]
    public static partial void ArtifactDeleted(ILogger logger, string sha256);
}
