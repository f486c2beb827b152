namespace Packyard.Engine.Storage;

/// <summary>
/// Content-addressed blob storage for artifacts and published metadata. Objects are named by their
/// lower-case hex sha256; writing the same content twice stores it once.
/// </summary>
/// <remarks>
/// Methods taking a <c>sha256</c> accept 64 hex digits in either case and throw <see cref="ArgumentException"/>
/// for anything else (the value becomes part of a path or object key). Failures of the backing store itself
/// (unreachable, access denied, missing bucket) surface as <see cref="ArtifactStoreException"/>.
/// </remarks>
public interface IArtifactStore
{
    /// <summary>
    /// Streams <paramref name="content"/> into the store, computing sha256 and size while streaming.
    /// When <paramref name="expected"/> is given and the content does not match it (digest or size), nothing is
    /// stored and <see cref="DigestMismatchException"/> is thrown. Never buffers the whole content in memory.
    /// The object becomes visible only after it has been verified. Safe to call concurrently, also for the same content.
    /// </summary>
    Task<StoredArtifact> PutAsync(Stream content, ExpectedDigest? expected, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the object for reading from <paramref name="offset"/> (0 = start), or returns null when it does not exist.
    /// The returned stream's <see cref="Stream.Length"/> is the object's size and its <see cref="Stream.Position"/>
    /// starts at <paramref name="offset"/>. An offset equal to the size gives an empty stream; a larger one throws
    /// <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    Task<Stream?> OpenReadAsync(string sha256, long offset, CancellationToken cancellationToken);

    /// <summary>Whether the object exists.</summary>
    Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>
    /// Which of <paramref name="sha256s"/> the store does not have (lower-case digests): one existence check per object
    /// with bounded concurrency, or a listing where that is cheaper. Used to find objects a store has lost.
    /// </summary>
    Task<IReadOnlySet<string>> FindMissingAsync(IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>A local file path for the object when the store is a filesystem (lets the server use sendfile), else null.</summary>
    string? TryGetLocalPath(string sha256);

    /// <summary>Every object in the store with when it was written, in no particular order (orphan cleanup compares it with the database).</summary>
    IAsyncEnumerable<StoredObject> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes what writers killed mid-write left behind (temporary files, unfinished multipart uploads) that has not
    /// been written to for <paramref name="olderThan"/>; returns how many were removed.
    /// </summary>
    Task<int> CleanTemporaryFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken);

    /// <summary>A time-limited URL clients can fetch the object from directly (presigned for S3), or null when unsupported.</summary>
    Task<Uri?> GetDirectDownloadUriAsync(string sha256, TimeSpan validity, CancellationToken cancellationToken);
}
