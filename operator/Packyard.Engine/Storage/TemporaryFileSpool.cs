using System.Buffers;
using System.Security.Cryptography;

namespace Packyard.Engine.Storage;

/// <summary>
/// Copies a stream into a new temporary file while hashing (sha256) and counting it, then checks it against the
/// expected digest and size. On any failure, cancellation included, the temporary file is deleted before the
/// exception propagates.
/// </summary>
internal static class TemporaryFileSpool
{
    /// <summary>Copy buffer size: below the large object heap threshold, as <see cref="Stream.CopyToAsync(Stream)"/> uses.</summary>
    public const int BufferSize = 81920;

    /// <summary>Suffix of temporary files, so cleanup only touches files this code created.</summary>
    public const string Suffix = ".part";

    /// <summary>rw-r--r--</summary>
    public const UnixFileMode FileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static async Task<SpooledContent> SpoolAsync(
        Stream content, ExpectedDigest? expected, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        string? expectedSha256 = null;
        if (expected is { Sha256: { } declared })
        {
            if (!ContentAddress.IsValid(declared))
            {
                throw new ArgumentException(
                    $"{expected.Name}: the declared sha256 '{declared}' is not 64 hex digits.", nameof(expected));
            }

            expectedSha256 = declared.ToLowerInvariant();
        }

        if (expected is { Size: < 0 })
        {
            throw new ArgumentException($"{expected.Name}: the declared size {expected.Size} is negative.", nameof(expected));
        }

        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + Suffix);
        var completed = false;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            FileStream file;
            try
            {
                Directory.CreateDirectory(directory);
                var fileOptions = new FileStreamOptions
                {
                    Mode = System.IO.FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                    BufferSize = 0, // we write whole buffers; FileStream's own buffer would only add a copy
                };
                if (!OperatingSystem.IsWindows())
                {
                    fileOptions.UnixCreateMode = FileMode;
                }

                file = new FileStream(path, fileOptions);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(directory, e);
            }

            await using (file.ConfigureAwait(false))
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    size += read;
                    if (expected is { Size: { } limit } && size > limit)
                    {
                        // Stop reading: the content is already wrong, and the declared size bounds what we accept.
                        throw new DigestMismatchException(expected, sizeDiffers: true);
                    }

                    hash.AppendData(buffer, 0, read);
                    try
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        throw Failure(directory, e);
                    }
                }

                try
                {
                    // Durable before the object becomes visible under its name: a crash must not leave a truncated
                    // file that claims a digest. There is no asynchronous fsync.
                    file.Flush(flushToDisk: true);
                }
                catch (IOException e)
                {
                    throw Failure(directory, e);
                }
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (expected is { Size: { } expectedSize } && size != expectedSize)
            {
                throw new DigestMismatchException(expected, sizeDiffers: true);
            }

            if (expectedSha256 is not null && expectedSha256 != sha256)
            {
                throw new DigestMismatchException(expected!, sizeDiffers: false);
            }

            completed = true;
            return new SpooledContent(path, sha256, size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!completed)
            {
                TryDelete(path);
            }
        }
    }

    /// <summary>
    /// Turns a local file error into a storage failure. Errors reading <c>content</c> are not passed here: they are
    /// the source's (a failed download), not the store's.
    /// </summary>
    public static ArtifactStoreException Failure(string directory, Exception e) => e is UnauthorizedAccessException
        ? new ArtifactStoreException(ArtifactStoreReasons.StorageAccessDenied, directory,
            $"Permission denied writing to {directory}: {e.Message} Check the directory's owner and mode.", e)
        : ArtifactStoreException.IsDiskFull(e)
        ? new ArtifactStoreException(ArtifactStoreReasons.StorageFull, directory,
            $"No space left writing to {directory}: {e.Message} Free space or grow the volume.", e)
        : new ArtifactStoreException(ArtifactStoreReasons.StorageFailed, directory,
            $"Could not write to {directory}: {e.Message} Check free space and that the volume is mounted read-write.", e);

    /// <summary>Deletes a temporary file; returns false (and leaves it for <c>CleanTemporaryFilesAsync</c>) when that fails.</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Deletes temporary files in <paramref name="directory"/> last written before <paramref name="cutoff"/>.</summary>
    public static int DeleteOlderThan(string directory, DateTime cutoff, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*" + Suffix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (file.LastWriteTimeUtc < cutoff)
                {
                    file.Delete();
                    deleted++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Vanished or in use: another process's cleanup or a live writer. Either way, not ours to fail on.
            }
        }

        return deleted;
    }
}
