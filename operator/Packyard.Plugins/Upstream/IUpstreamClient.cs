namespace Packyard.Plugins;

/// <summary>Opens upstream files (metadata or artifacts) with a remote's credentials, limits and retries.</summary>
public interface IUpstreamClient
{
    /// <summary>Opens <paramref name="url"/>; throws <see cref="UpstreamUnavailableException"/> when it cannot be fetched (404 included).</summary>
    Task<UpstreamResponse> OpenAsync(Uri url, CancellationToken cancellationToken);

    /// <summary>Like <see cref="OpenAsync"/> but returns null on 404 / missing file, for optional variants.</summary>
    Task<UpstreamResponse?> TryOpenAsync(Uri url, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="TryOpenAsync(Uri, CancellationToken)"/>, sending <paramref name="accept"/> as the Accept header for
    /// content negotiation (e.g. PEP 691's JSON or HTML simple pages); the response's ContentType says what came back.
    /// </summary>
    Task<UpstreamResponse?> TryOpenAsync(Uri url, string accept, CancellationToken cancellationToken) => TryOpenAsync(url, cancellationToken);
}

/// <summary>An open upstream body. Dispose it to release the connection.</summary>
public sealed class UpstreamResponse(Stream body, long? length, string? contentType, IDisposable? owner) : IAsyncDisposable
{
    public Stream Body { get; } = body;
    public long? Length { get; } = length;
    public string? ContentType { get; } = contentType;

    public async ValueTask DisposeAsync()
    {
        await Body.DisposeAsync();
        owner?.Dispose();
    }
}
