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

    /// <summary>
    /// Like <see cref="TryOpenAsync(Uri, string, CancellationToken)"/> but a HEAD request: only the status and headers (an empty
    /// body), e.g. to learn a registry manifest's digest from <c>Docker-Content-Digest</c> without downloading it (and without
    /// counting against a pull rate limit). Clients that cannot send HEAD open the body instead.
    /// </summary>
    Task<UpstreamResponse?> TryHeadAsync(Uri url, string accept, CancellationToken cancellationToken) => TryOpenAsync(url, accept, cancellationToken);
}

/// <summary>An open upstream body. Dispose it to release the connection.</summary>
public sealed class UpstreamResponse(Stream body, long? length, string? contentType, IDisposable? owner) : IAsyncDisposable
{
    public Stream Body { get; } = body;
    public long? Length { get; } = length;
    public string? ContentType { get; } = contentType;

    /// <summary>
    /// The response's headers (content headers included), by case-insensitive name; repeated headers are joined with ", ".
    /// Empty for a <c>file:</c> upstream. E.g. <c>Link</c> for paginated listings, <c>Docker-Content-Digest</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>The header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public async ValueTask DisposeAsync()
    {
        await Body.DisposeAsync();
        owner?.Dispose();
    }
}
