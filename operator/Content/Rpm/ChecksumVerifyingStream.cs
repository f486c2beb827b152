using System.Security.Cryptography;
using Packyard.Engine.Downloads;

namespace Packyard.Content.Rpm;

/// <summary>
/// Reads a metadata file while hashing it with the algorithm repomd.xml names (sha256, sha512, sha384, sha1/sha, md5);
/// fails as soon as it is longer than the declared size, and at the end when size or digest differ. It also keeps the
/// SHA-256 of what passed, for files Packyard republishes. Call <see cref="DrainAndVerifyAsync"/> after parsing.
/// </summary>
internal sealed class ChecksumVerifyingStream : Stream
{
    private readonly Stream inner;
    private readonly IncrementalHash hash;
    private readonly IncrementalHash sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly string expected;
    private readonly long? expectedSize;
    private readonly string sourceName;
    private long total;

    public ChecksumVerifyingStream(Stream inner, string checksumType, string expected, long? expectedSize, string sourceName)
    {
        this.inner = inner;
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.sourceName = sourceName;
        hash = IncrementalHash.CreateHash(Algorithm(checksumType)
            ?? throw new InvalidUpstreamMetadataException($"{sourceName}: checksum type '{checksumType}' is not supported (use sha256 or sha512)"));
    }

    public static HashAlgorithmName? Algorithm(string type) => type.ToLowerInvariant() switch
    {
        "sha256" => HashAlgorithmName.SHA256,
        "sha512" => HashAlgorithmName.SHA512,
        "sha384" => HashAlgorithmName.SHA384,
        "sha" or "sha1" => HashAlgorithmName.SHA1,
        "md5" => HashAlgorithmName.MD5,
        _ => null,
    };

    /// <summary>The SHA-256 and size of the bytes read; valid after <see cref="DrainAndVerifyAsync"/>.</summary>
    public (string Sha256, long Size) Observed { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => total; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Observe(ReadOnlySpan<byte> data)
    {
        total += data.Length;
        if (total > expectedSize)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName} is larger than the {expectedSize} bytes repomd.xml declares");
        }

        hash.AppendData(data);
        sha256.AppendData(data);
    }

    /// <summary>Reads what the parser left and checks size and digest.</summary>
    public async Task DrainAndVerifyAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (await ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        if (expectedSize is { } size && total != size)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName} is {total} bytes, repomd.xml declares {size} (truncated download?)");
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidUpstreamMetadataException($"{sourceName} has checksum {actual}, repomd.xml declares {expected}");
        }

        Observed = (Convert.ToHexStringLower(sha256.GetHashAndReset()), total);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Leaves the upstream body open (decompressors dispose this stream before verification) and frees the hashes.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
            sha256.Dispose();
        }

        base.Dispose(disposing);
    }
}
