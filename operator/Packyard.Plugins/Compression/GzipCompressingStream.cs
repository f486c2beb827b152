using System.IO.Compression;

namespace Packyard.Plugins.Compression;

/// <summary>
/// <see cref="GZipStream"/> at <see cref="CompressionLevel.Optimal"/>, except that empty input still makes a valid gzip file:
/// GZipStream writes nothing at all when nothing was written to it, which <c>gzip -d</c> rejects as truncated.
/// </summary>
internal sealed class GzipCompressingStream(Stream output, bool leaveOpen) : Stream
{
    /// <summary>A gzip member holding no data: header (OS Unix), an empty final deflate block, CRC-32 0 and length 0.</summary>
    private static readonly byte[] EmptyMember =
        [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    private readonly GZipStream gzip = new(output, CompressionLevel.Optimal, leaveOpen: true);
    private bool wroteData;
    private bool disposed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        gzip.Write(buffer);
        wroteData |= !buffer.IsEmpty;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await gzip.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        wroteData |= !buffer.IsEmpty;
    }

    public override void Flush() => gzip.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => gzip.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            try
            {
                gzip.Dispose();
                if (!wroteData)
                {
                    output.Write(EmptyMember);
                }
            }
            finally
            {
                if (!leaveOpen)
                {
                    output.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!disposed)
        {
            disposed = true;
            try
            {
                await gzip.DisposeAsync().ConfigureAwait(false);
                if (!wroteData)
                {
                    await output.WriteAsync(EmptyMember).ConfigureAwait(false);
                }
            }
            finally
            {
                if (!leaveOpen)
                {
                    await output.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
