namespace Packyard.Engine.Downloads;

/// <summary>
/// A read-only upstream body that fails a read making no progress within <paramref name="timeout"/> (a stalled upstream), and
/// any read once the request's <paramref name="deadline"/> (the Remote's <c>spec.timeout</c>, counted from the request's
/// start) has passed (an upstream trickling bytes). Owns and disposes <paramref name="deadline"/>.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan timeout, CancellationTokenSource deadline, Uri url) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        idle.CancelAfter(timeout);
        try
        {
            return await inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw deadline.IsCancellationRequested
                ? DeadlineExceeded(url, timeout, e)
                : new UpstreamUnavailableException($"{UrlSanitizer.Sanitize(url.ToString())}: no data received for {timeout}", e);
        }
        catch (IOException e)
        {
            throw new UpstreamUnavailableException($"{UrlSanitizer.Sanitize(url.ToString())}: connection failed while downloading: {e.Message}", e);
        }
    }

    /// <summary>The failure of a request that ran longer than the Remote's <c>spec.timeout</c>.</summary>
    internal static UpstreamUnavailableException DeadlineExceeded(Uri url, TimeSpan timeout, Exception? inner) =>
        new($"{UrlSanitizer.Sanitize(url.ToString())}: the request took longer than the Remote's spec.timeout ({timeout.TotalSeconds:0.###}s); "
            + "the upstream is too slow, or spec.timeout too short for this file", inner);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            deadline.Dispose();
        }

        base.Dispose(disposing);
    }
}
