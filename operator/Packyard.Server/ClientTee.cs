using Microsoft.AspNetCore.Http;

namespace Packyard.Server;

/// <summary>
/// Sends the bytes an upstream body yields to the client of the request that is storing them (<see cref="OnDemandFetcher"/>):
/// <see cref="Wrap"/> gives the stream the artifact store reads; each chunk read goes to the client as the next one arrives, the
/// last one only from <see cref="CompleteAsync"/>, once the store has checked the digest. The client going away only stops
/// the copy to it: the store reads on.
/// </summary>
internal sealed class ClientTee(HttpContext http, ServedFile file, string mediaType)
{
    private byte[] held = new byte[81920];
    private int heldLength;
    private bool clientGone;
    private long? length;

    /// <summary>True once the response's status and headers have been sent (with the first chunk but the last).</summary>
    public bool Started { get; private set; }

    /// <summary>True once the upstream body was opened through <see cref="Wrap"/>: the caller must answer with <see cref="CompleteAsync"/>.</summary>
    public bool Used { get; private set; }

    public Stream Wrap(Stream upstream, long? upstreamLength)
    {
        Used = true;
        length = file.Size ?? upstreamLength;
        return new TeeStream(this, upstream);
    }

    /// <summary>Sends the held last chunk: the content matched its digest.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (!Started)
        {
            await StartAsync();
        }

        await SendAsync(held.AsMemory(0, heldLength));
        heldLength = 0;
        if (!clientGone)
        {
            await http.Response.CompleteAsync().WaitAsync(cancellationToken);
        }
    }

    private Task StartAsync()
    {
        Started = true;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = mediaType;
        response.ContentLength = length;
        response.Headers.ETag = file.ETag;
        response.Headers.CacheControl = "public, max-age=300";
        return response.StartAsync(http.RequestAborted);
    }

    private async Task OnChunkAsync(ReadOnlyMemory<byte> chunk)
    {
        // Nothing is sent until a second chunk arrives: content of one chunk that fails its check still gets a proper error answer.
        if (heldLength > 0)
        {
            if (!Started)
            {
                await StartAsync();
            }

            await SendAsync(held.AsMemory(0, heldLength));
        }

        if (held.Length < chunk.Length)
        {
            held = new byte[chunk.Length];
        }

        chunk.CopyTo(held);
        heldLength = chunk.Length;
    }

    private async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (clientGone || bytes.Length == 0)
        {
            return;
        }

        try
        {
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            clientGone = true; // the store goes on reading: other clients wait for the object
        }
    }

    private sealed class TeeStream(ClientTee tee, Stream upstream) : ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await upstream.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                await tee.OnChunkAsync(buffer[..read]);
            }

            return read;
        }
    }
}
