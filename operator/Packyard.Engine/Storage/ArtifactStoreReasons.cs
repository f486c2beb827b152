namespace Packyard.Engine.Storage;

/// <summary>
/// Condition reasons for storage failures (CamelCase, stable). They belong with <c>Packyard.Api.Conditions.Reasons</c>
/// and can move there; the values must not change.
/// </summary>
internal static class ArtifactStoreReasons
{
    /// <summary>Content did not match its declared sha256 or size.</summary>
    public const string DigestMismatch = "DigestMismatch";

    /// <summary>The store could not be reached (connection refused, DNS failure, timeout).</summary>
    public const string StorageUnreachable = "StorageUnreachable";

    /// <summary>The store refused the credentials or the operation.</summary>
    public const string StorageAccessDenied = "StorageAccessDenied";

    /// <summary>The bucket (S3) or root directory (filesystem) does not exist.</summary>
    public const string StorageNotFound = "StorageNotFound";

    /// <summary>The store's disk is full.</summary>
    public const string StorageFull = "StorageFull";

    /// <summary>Any other failure of the store.</summary>
    public const string StorageFailed = "StorageFailed";
}
