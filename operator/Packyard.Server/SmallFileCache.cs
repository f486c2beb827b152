using System.Collections.Concurrent;
using Packyard.Engine.Storage;

namespace Packyard.Server;

/// <summary>
/// The bytes of small stored files (metadata pages, small artifacts) kept in memory by digest, so a hot page costs
/// no file open or read. Blobs are content-addressed and immutable, so an entry is never stale. Bounded in total
/// bytes: when full, the cache is emptied and refills with what is asked for next.
/// </summary>
public sealed class SmallFileCache(IArtifactStore store, ServingCacheOptions options)
{
    private readonly ConcurrentDictionary<string, byte[]> blobs = new(StringComparer.Ordinal);
    private long bytes;

    /// <summary>The bytes of <paramref name="file"/> when it is small enough to keep; null otherwise (or when missing from the store).</summary>
    public ValueTask<byte[]?> GetAsync(ServedFile file, CancellationToken cancellationToken)
    {
        if (file.Size is not { } size || size > options.MaxSmallFileBytes || !file.Stored)
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        return blobs.TryGetValue(file.Sha256, out var cached)
            ? ValueTask.FromResult<byte[]?>(cached)
            : new ValueTask<byte[]?>(LoadAsync(file, (int)size, cancellationToken));
    }

    private async Task<byte[]?> LoadAsync(ServedFile file, int size, CancellationToken cancellationToken)
    {
        var content = new byte[size];
        if (file.LocalPath is { } local)
        {
            try
            {
                await using var input = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
                await input.ReadExactlyAsync(content, cancellationToken);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
            {
                return null; // gone or shorter than recorded: the caller's ordinary path reports it
            }
        }
        else
        {
            await using var input = await store.OpenReadAsync(file.Sha256, 0, cancellationToken);
            if (input is null)
            {
                return null;
            }

            try
            {
                await input.ReadExactlyAsync(content, cancellationToken);
            }
            catch (EndOfStreamException)
            {
                return null;
            }
        }

        if (Interlocked.Read(ref bytes) + size > options.SmallFileCacheBytes)
        {
            blobs.Clear();
            Interlocked.Exchange(ref bytes, 0);
        }

        if (blobs.TryAdd(file.Sha256, content))
        {
            Interlocked.Add(ref bytes, size);
        }

        return content;
    }
}
