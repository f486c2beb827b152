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
}
