namespace Packyard.Engine.Storage;

/// <summary>
/// The backing store failed: unreachable, access denied, bucket missing or another server error. The message names
/// the store (endpoint and bucket, or root directory) and what to check; it never contains credentials.
/// </summary>
public sealed class ArtifactStoreException : Exception
{
    public ArtifactStoreException(string reason, string store, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        Store = store;
    }

    /// <summary>One of <see cref="ArtifactStoreReasons"/>; becomes the condition reason.</summary>
    public string Reason { get; }

    /// <summary>The store, without credentials: <c>s3 http://host:9000 bucket 'b'</c> or the root directory.</summary>
    public string Store { get; }

    /// <summary>
    /// Whether <paramref name="exception"/> or one of its inner exceptions says the disk is full (ENOSPC on Unix,
    /// ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows).
    /// </summary>
    public static bool IsDiskFull(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ArtifactStoreException { Reason: ArtifactStoreReasons.StorageFull })
            {
                return true;
            }

            if (e is IOException && (OperatingSystem.IsWindows()
                    ? (e.HResult & 0xFFFF) is DiskFullWindows or HandleDiskFullWindows
                    : e.HResult == NoSpaceUnix))
            {
                return true;
            }
        }

        return false;
    }

    private const int NoSpaceUnix = 28;
    private const int DiskFullWindows = 0x70;
    private const int HandleDiskFullWindows = 0x27;
}
