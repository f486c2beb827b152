using System.Security.Cryptography;

namespace Packyard.Plugins;

/// <summary>
/// Reads an upstream metadata file while hashing it with the algorithm its signed index names (an APT Release, a yum
/// repomd.xml): fails as soon as it is longer than the declared size, and at its end (or in
/// <see cref="DrainAndVerifyAsync"/>) when its size or digest differ. It also keeps the SHA-256 of what passed, for files
/// Packyard stores and republishes. Call <see cref="DrainAndVerifyAsync"/> after parsing: parsers stop early.
/// </summary>
public sealed class VerifyingReadStream : Stream
{
    private readonly Stream inner;
    private readonly HashAlgorithmName algorithm;
    private readonly IncrementalHash hash;
    private readonly IncrementalHash? sha256;
    private readonly string expectedDigest;
    private readonly long? expectedSize;
    private readonly string sourceName;
    private readonly string declaredBy;
    private long total;
    private InvalidUpstreamMetadataException? failure;
    private bool finished;

    /// <param name="inner">The upstream body; left open when this stream is disposed (decompressors dispose their input).</param>
    /// <param name="algorithm">The algorithm of <paramref name="expectedDigest"/>.</param>
    /// <param name="expectedDigest">Hex digest the signed index declares.</param>
    /// <param name="expectedSize">Size the signed index declares, when it declares one.</param>
    /// <param name="sourceName">The file's URL, for messages.</param>
    /// <param name="declaredBy">What declared digest and size, for messages ("the signed Release", "repomd.xml").</param>
    public VerifyingReadStream(Stream inner, HashAlgorithmName algorithm, string expectedDigest, long? expectedSize, string sourceName, string declaredBy)
    {
        this.inner = inner;
        this.algorithm = algorithm;
        this.expectedDigest = expectedDigest;
        this.expectedSize = expectedSize;
        this.sourceName = sourceName;
        this.declaredBy = declaredBy;
        hash = IncrementalHash.CreateHash(algorithm);
        sha256 = algorithm == HashAlgorithmName.SHA256 ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The algorithm for a checksum type as yum metadata and similar indices name it, or null when unknown.</summary>
    public static HashAlgorithmName? Algorithm(string type) => type.ToLowerInvariant() switch
    {
        "sha256" => HashAlgorithmName.SHA256,
        "sha512" => HashAlgorithmName.SHA512,
        "sha384" => HashAlgorithmName.SHA384,
        "sha" or "sha1" => HashAlgorithmName.SHA1,
        "md5" => HashAlgorithmName.MD5,
        _ => null,
    };

    /// <summary>The SHA-256 and size of the bytes read; set once the file is verified.</summary>
    public (string Sha256, long Size)? Observed { get; private set; }

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

    /// <summary>Reads what the parser left (padding, trailing bytes) and checks size and digest.</summary>
    public async Task DrainAndVerifyAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (await ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        Verify();
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        if (finished)
        {
            return;
        }

        total += data.Length;
        if (total > expectedSize)
        {
            finished = true;
            throw failure = new InvalidUpstreamMetadataException($"{sourceName} is larger than the {expectedSize} bytes {declaredBy} declares");
        }

        hash.AppendData(data);
        sha256?.AppendData(data);
        if (data.Length == 0)
        {
            Verify();
        }
    }

    private void Verify()
    {
        if (finished)
        {
            if (failure is not null)
            {
                throw failure;
            }

            return;
        }

        finished = true;
        try
        {
            if (expectedSize is { } size && total != size)
            {
                throw failure = new InvalidUpstreamMetadataException($"{sourceName} does not have the {size} bytes {declaredBy} declares (truncated download?)");
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, expectedDigest, StringComparison.OrdinalIgnoreCase))
            {
                throw failure = new InvalidUpstreamMetadataException($"{sourceName} does not match the {algorithm.Name} {expectedDigest} {declaredBy} declares");
            }

            Observed = (sha256 is null ? actual : Convert.ToHexStringLower(sha256.GetHashAndReset()), total);
        }
        finally
        {
            hash.Dispose();
            sha256?.Dispose();
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>
    /// Leaves the upstream body open: decompressors dispose this stream before <see cref="DrainAndVerifyAsync"/> runs, so the
    /// hashes are freed when the file is verified.
    /// </summary>
    protected override void Dispose(bool disposing) => base.Dispose(disposing);
}
