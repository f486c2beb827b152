using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Packyard.Tests.Storage;

/// <summary>
/// A non-seekable stream of <c>length</c> deterministic pseudo-random bytes, produced on the fly (never held in
/// memory) and hashed as it is read, like a download. Optionally cancels a token after a number of bytes.
/// </summary>
public sealed class GeneratedContentStream(long length, ulong seed = 0x9E3779B97F4A7C15) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong state = seed | 1;
    private long produced;
    private string? sha256;

    /// <summary>Cancelled once <see cref="CancelAfterBytes"/> bytes have been read.</summary>
    public CancellationTokenSource? CancelSource { get; init; }

    public long CancelAfterBytes { get; init; } = long.MaxValue;

    /// <summary>sha256 of everything produced; available after the stream has been read to the end.</summary>
    public string Sha256 => sha256 ?? throw new InvalidOperationException("The stream has not been read to the end.");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => produced;
        set => throw new NotSupportedException();
    }

    /// <summary>The sha256 of <paramref name="length"/> bytes from <paramref name="seed"/>, without keeping them.</summary>
    public static string Sha256Of(long length, ulong seed = 0x9E3779B97F4A7C15)
    {
        using var stream = new GeneratedContentStream(length, seed);
        stream.CopyTo(Stream.Null);
        return stream.Sha256;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - produced);
        if (count <= 0)
        {
            sha256 ??= Convert.ToHexStringLower(hash.GetHashAndReset());
            return 0;
        }

        var span = buffer[..count];
        var i = 0;
        Span<byte> word = stackalloc byte[8];
        for (; i + 8 <= count; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[i..], Next());
        }

        if (i < count)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Next());
            word[..(count - i)].CopyTo(span[i..]);
        }

        hash.AppendData(span);
        produced += count;
        if (produced >= CancelAfterBytes)
        {
            CancelSource?.Cancel();
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private ulong Next()
    {
        // xorshift64*: fast and good enough to defeat any compression or deduplication along the way.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 2685821657736338717UL;
    }
}
