namespace Packyard.Engine.Storage;

/// <summary>
/// Content-addressed blob storage for artifacts and published metadata. Objects are named by their
/// lower-case hex sha256; writing the same content twice stores it once.
/// </summary>
public interface IArtifactStore
{
    /// <summary>
    /// Streams <paramref name="content"/> into the store, computing sha256 and size while streaming.
    /// When <paramref name="expected"/> is given and the content does not match it, nothing is stored and
    /// <see cref="DigestMismatchException"/> is thrown. Never buffers the whole content in memory.
    /// </summary>
    Task<StoredArtifact> PutAsync(Stream content, ExpectedDigest? expected, CancellationToken cancellationToken);

    /// <summary>Opens the object for reading from <paramref name="offset"/> (0 = start), or returns null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string sha256, long offset, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>A local file path for the object when the store is a filesystem (lets the server use sendfile), else null.</summary>
    string? TryGetLocalPath(string sha256);

    /// <summary>A time-limited URL clients can fetch the object from directly (presigned for S3), or null when unsupported.</summary>
    Task<Uri?> GetDirectDownloadUriAsync(string sha256, TimeSpan validity, CancellationToken cancellationToken);
}

/// <summary>What upstream metadata declared about an artifact.</summary>
public sealed record ExpectedDigest(string? Sha256, long? Size, string Name);

/// <summary>An object in the store.</summary>
public sealed record StoredArtifact(string Sha256, long Size);

/// <summary>The content did not match the digest or size its metadata declared.</summary>
public sealed class DigestMismatchException(string name, string expected, string actual)
    : Exception($"{name}: expected {expected} but downloaded content has {actual}")
{
    public string Name { get; } = name;
    public string Expected { get; } = expected;
    public string Actual { get; } = actual;
}
