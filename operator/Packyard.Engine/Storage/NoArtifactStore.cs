namespace Packyard.Engine.Storage;

/// <summary>
/// The artifact store of a process that has none (<c>packyard operator --role controller</c>): the controller only queues
/// tasks, and the workers and content servers hold the store. Every use fails with <see cref="ArtifactStoreException"/>
/// naming the role, so a code path that still needs the store from the controller shows at once instead of writing to a
/// local directory nobody else reads.
/// </summary>
public sealed class NoArtifactStore : IArtifactStore
{
    private const string Store = "(none: the controller role has no artifact store)";

    public Task<StoredArtifact> PutAsync(Stream content, ExpectedDigest? expected, CancellationToken cancellationToken) => throw Refused();

    public Task<Stream?> OpenReadAsync(string sha256, long offset, CancellationToken cancellationToken) => throw Refused();

    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) => throw Refused();

    public Task<IReadOnlySet<string>> FindMissingAsync(IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken) => throw Refused();

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken) => throw Refused();

    public string? TryGetLocalPath(string sha256) => throw Refused();

    public IAsyncEnumerable<StoredObject> ListAsync(CancellationToken cancellationToken) => throw Refused();

    public Task<int> CleanTemporaryFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken) => throw Refused();

    public Task<Uri?> GetDirectDownloadUriAsync(string sha256, TimeSpan validity, CancellationToken cancellationToken) => throw Refused();

    private static ArtifactStoreException Refused() =>
        new(ArtifactStoreReasons.StorageFailed, Store, "this process has no artifact store (--role controller): store work is a task for the worker role");
}
