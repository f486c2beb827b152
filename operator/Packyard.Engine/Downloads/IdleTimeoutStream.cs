namespace Packyard.Engine.Downloads;

/// <summary>
/// A read-only upstream body that fails a read making no progress within <paramref name="timeout"/> (a stalled upstream), and
/// fails once the time spent waiting for the upstream — its answer, then every read — exceeds <paramref name="timeout"/> (the
/// Remote's <c>spec.timeout</c>; <paramref name="budget"/> is what the answer left of it): an upstream trickling bytes. Only
/// time inside reads counts, so a consumer that parses and stores what it reads (a large index) is not cut off by its own work.
/// </summary>
internal sealed class IdleTimeoutStream(Stream inner, TimeSpan timeout, TimeSpan budget, Uri url) : ReadOnlyStream
{
    private TimeSpan remaining = budget;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (remaining <= TimeSpan.Zero)
        {
            throw DeadlineExceeded(url, timeout, null);
        }

        var overBudget = remaining < timeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(overBudget ? remaining : timeout);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await inner.ReadAsync(buffer, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw overBudget
                ? DeadlineExceeded(url, timeout, e)
                : new UpstreamUnavailableException($"{UrlSanitizer.Sanitize(url.ToString())}: no data received for {timeout}", e);
        }
        catch (IOException e)
        {
            throw new UpstreamUnavailableException($"{UrlSanitizer.Sanitize(url.ToString())}: connection failed while downloading: {e.Message}", e);
        }
        finally
        {
            remaining -= System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>The failure of a request that ran longer than the Remote's <c>spec.timeout</c>.</summary>
    internal static UpstreamUnavailableException DeadlineExceeded(Uri url, TimeSpan timeout, Exception? inner) =>
        new($"{UrlSanitizer.Sanitize(url.ToString())}: the request took longer than the Remote's spec.timeout ({timeout.TotalSeconds:0.###}s); "
            + "the upstream is too slow, or spec.timeout too short for this file", inner);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
