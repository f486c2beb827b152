using Microsoft.Extensions.Logging;

namespace Packyard.Engine.Storage;

/// <summary>
/// The default store: a directory tree, <c>&lt;root&gt;/objects/ab/cd/abcd…</c> (the first two and next two hex digits
/// of the sha256 as directories). Content is written to <c>&lt;root&gt;/tmp/</c>, verified, then renamed into place, so
/// readers never see a partial or unverified object.
/// </summary>
internal sealed partial class FileSystemArtifactStore : IArtifactStore
{
    private readonly ILogger<FileSystemArtifactStore> logger;

    public FileSystemArtifactStore(FileSystemStorageOptions options, ILogger<FileSystemArtifactStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Root, "options.Root");
        this.logger = logger;
        Root = Path.GetFullPath(options.Root);
        ObjectsDirectory = Path.Combine(Root, "objects");
        TemporaryDirectory = Path.Combine(Root, "tmp");
        Log.StoreOpened(logger, Root);
    }

    /// <summary>The absolute root directory.</summary>
    public string Root { get; }

    /// <summary>Where objects live.</summary>
    public string ObjectsDirectory { get; }

    /// <summary>Where content is spooled before it is verified and renamed into <see cref="ObjectsDirectory"/>.</summary>
    public string TemporaryDirectory { get; }

    /// <inheritdoc />
    public async Task<StoredArtifact> PutAsync(Stream content, ExpectedDigest? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var spooled = await TemporaryFileSpool.SpoolAsync(content, expected, TemporaryDirectory, cancellationToken)
            .ConfigureAwait(false);
        var destination = ObjectPath(spooled.Sha256);
        var moved = false;
        try
        {
            // From here on the content is verified; cancelling now would only throw away finished work, and the
            // rename is atomic, so this commit step does not observe the token.
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            try
            {
                File.Move(spooled.Path, destination, overwrite: false);
                moved = true;
                StorageLog.ArtifactStored(logger, spooled.Sha256, spooled.Size);
            }
            catch (IOException) when (File.Exists(destination))
            {
                // Content-addressed: whoever renamed first stored the same bytes. Its modification time says it was
                // stored just now, so the store sweep (which removes old objects without a row) leaves it to the
                // row this writer is about to record.
                File.SetLastWriteTimeUtc(destination, DateTime.UtcNow);
                StorageLog.ArtifactAlreadyStored(logger, spooled.Sha256, spooled.Size);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw TemporaryFileSpool.Failure(ObjectsDirectory, e);
        }
        finally
        {
            if (!moved && !TemporaryFileSpool.TryDelete(spooled.Path))
            {
                Log.TemporaryFileDeleteFailed(logger, spooled.Path);
            }
        }

        return new StoredArtifact(spooled.Sha256, spooled.Size);
    }

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string sha256, long offset, CancellationToken cancellationToken)
    {
        var path = ObjectPath(ContentAddress.Normalize(sha256, nameof(sha256)));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        FileStream stream;
        try
        {
            stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }

        if (offset > stream.Length)
        {
            var length = stream.Length;
            stream.Dispose();
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{sha256} has only {length} bytes.");
        }

        stream.Position = offset;
        return Task.FromResult<Stream?>(stream);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken)
    {
        var path = ObjectPath(ContentAddress.Normalize(sha256, nameof(sha256)));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(path));
    }

    /// <inheritdoc />
    public Task<IReadOnlySet<string>> FindMissingAsync(IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken) =>
        ExistenceChecks.FindMissingAsync(this, sha256s, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(string sha256, CancellationToken cancellationToken)
    {
        var normalized = ContentAddress.Normalize(sha256, nameof(sha256));
        cancellationToken.ThrowIfCancellationRequested();
        var file = new FileInfo(ObjectPath(normalized));
        if (file.Exists)
        {
            try
            {
                file.Delete();
            }
            catch (UnauthorizedAccessException e)
            {
                throw TemporaryFileSpool.Failure(ObjectsDirectory, e);
            }

            StorageLog.ArtifactDeleted(logger, normalized);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public string? TryGetLocalPath(string sha256)
    {
        var path = ObjectPath(ContentAddress.Normalize(sha256, nameof(sha256)));
        return File.Exists(path) ? path : null;
    }

    /// <summary>Always null: a filesystem has no URL of its own; serve <see cref="TryGetLocalPath"/> instead.</summary>
    public Task<Uri?> GetDirectDownloadUriAsync(string sha256, TimeSpan validity, CancellationToken cancellationToken)
    {
        ContentAddress.Normalize(sha256, nameof(sha256));
        return Task.FromResult<Uri?>(null);
    }

    /// <summary>
    /// Removes temporary files last written more than <paramref name="olderThan"/> ago: leftovers of a process that was
    /// killed mid-write. Pick an age well above the longest upload, since a live writer's file is indistinguishable.
    /// </summary>
    /// <returns>How many files were removed.</returns>
    public Task<int> CleanTemporaryFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        var deleted = TemporaryFileSpool.DeleteOlderThan(TemporaryDirectory, DateTime.UtcNow - olderThan, cancellationToken);
        if (deleted > 0)
        {
            Log.TemporaryFilesCleaned(logger, deleted, TemporaryDirectory);
        }

        return Task.FromResult(deleted);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        if (!Directory.Exists(ObjectsDirectory))
        {
            yield break;
        }

        foreach (var file in new DirectoryInfo(ObjectsDirectory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ContentAddress.IsValid(file.Name))
            {
                yield return new StoredObject(file.Name.ToLowerInvariant(), new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
            }
        }
    }

    private string ObjectPath(string sha256) =>
        Path.Join(ObjectsDirectory, sha256.AsSpan(0, 2), sha256.AsSpan(2, 2), sha256);
}
