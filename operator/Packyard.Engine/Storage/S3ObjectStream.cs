namespace Packyard.Engine.Storage;

/// <summary>
/// A read-only, forward-only view of an S3 object body that owns the response: disposing the stream releases the
/// connection. <see cref="Length"/> is the object's size and <see cref="Position"/> starts at the requested offset,
/// as for a <see cref="FileStream"/> opened by the filesystem store.
/// </summary>
internal sealed class S3ObjectStream(Stream body, IDisposable? owner, long offset, long length) : Stream
{
    private long position = offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;

    /// <summary>The whole object's size (not what is left to read). Known although the stream cannot seek.</summary>
    public override long Length { get; } = length;

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Advance(body.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Advance(body.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Advance(await body.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Advance(await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

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
            body.Dispose();
            owner?.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Advance(int read)
    {
        position += read;
        return read;
    }
}
