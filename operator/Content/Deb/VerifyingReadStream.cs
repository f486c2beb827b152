using System.Security.Cryptography;
using Packyard.Engine.Downloads;

namespace Packyard.Content.Deb;

/// <summary>
/// Reads an index while hashing it; fails as soon as it is longer than the signed size, and at the end when its size or
/// SHA256 differ from what the signed Release declares. Call <see cref="DrainAndVerifyAsync"/> after parsing.
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, string expectedSha256, long expectedSize, string sourceName) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long total;
    private bool verified;

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
            throw new InvalidUpstreamMetadataException($"{sourceName} is larger than the {expectedSize} bytes the signed Release declares");
        }

        hash.AppendData(data);
        if (data.Length == 0)
        {
            Verify();
        }
    }

    /// <summary>Reads what the parser left (padding, trailing bytes) and checks size and digest.</summary>
    public async Task DrainAndVerifyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var buffer = new byte[81920];
            while (await ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            Verify();
        }
        finally
        {
            hash.Dispose();
        }
    }

    private void Verify()
    {
        if (verified)
        {
            return;
        }

        if (total != expectedSize)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName} is {total} bytes, the signed Release declares {expectedSize} (truncated download?)");
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidUpstreamMetadataException($"{sourceName} has SHA256 {actual}, the signed Release declares {expectedSha256}");
        }

        verified = true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Leaves the upstream body open: decompressors dispose this stream before <see cref="DrainAndVerifyAsync"/> runs.</summary>
    protected override void Dispose(bool disposing) => base.Dispose(disposing);
}
