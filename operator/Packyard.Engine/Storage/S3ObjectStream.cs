namespace Packyard.Engine.Storage;

/// <summary>
/// A read-only, forward-only view of an S3 object body that owns the response: disposing the stream releases the
/// connection. <see cref="Length"/> is the object's size and <see cref="Position"/> starts at the requested offset,
/// as for a <see cref="FileStream"/> opened by the filesystem store. An asynchronous read that receives nothing for
/// <see cref="Idle"/>, or whose connection breaks, fails with the exception <see cref="Failure"/> makes.
/// </summary>
internal sealed class S3ObjectStream(Stream body, IDisposable? owner, long offset, long length) : Stream
{
    private long position = offset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override bool CanTimeout => true;

    /// <summary>How long one asynchronous read may wait for data (milliseconds).</summary>
    public override int ReadTimeout
    {
        get => (int)Math.Min(int.MaxValue, Idle.TotalMilliseconds);
        set => Idle = TimeSpan.FromMilliseconds(value);
    }

    /// <summary>How long one asynchronous read may wait for data; infinite by default.</summary>
    public TimeSpan Idle { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Turns a stalled or broken read (its cause) into the store's failure.</summary>
    public Func<Exception, Exception>? Failure { get; init; }

    /// <summary>The whole object's size (not what is left to read). Known although the stream cannot seek.</summary>
    public override long Length { get; } = length;

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Advance(body.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Advance(body.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(Idle);
        try
        {
            return Advance(await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false));
        }
        catch (Exception e) when (Failure is not null && !cancellationToken.IsCancellationRequested
            && (e is IOException || (e is OperationCanceledException && idle.IsCancellationRequested)))
        {
            throw Failure(e);
        }
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
