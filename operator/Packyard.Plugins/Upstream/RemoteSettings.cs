using System.Text.Json.Serialization;
using Packyard.Api.Resources;

namespace Packyard.Plugins;

/// <summary>
/// A Remote with its Secrets resolved: everything needed to download from the upstream. Holds credentials:
/// never log it or put it in status (<see cref="ToString"/> is redacted).
/// </summary>
public sealed record RemoteSettings
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }

    /// <summary>
    /// Base URL, always ending in '/'. Kept in its absolute form: a local path given as a URL (<c>/srv/mirror/</c>) would
    /// otherwise come back from the stored JSON as a relative URI, which no URL check can compare with.
    /// </summary>
    public required Uri BaseUrl
    {
        get;
        init => field = value.IsAbsoluteUri ? new Uri(value.AbsoluteUri)
            : Uri.TryCreate(value.OriginalString, UriKind.Absolute, out var absolute) ? new Uri(absolute.AbsoluteUri) : value;
    }

    public DownloadPolicy Policy { get; init; } = DownloadPolicy.Immediate;
    public int Concurrency { get; init; } = 8;
    public double? RateLimit { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? Token { get; init; }

    public string? CaCertificatePem { get; init; }
    public string? ClientCertificatePem { get; init; }
    public string? ClientKeyPem { get; init; }
    public bool InsecureSkipVerify { get; init; }

    public string? ProxyUrl { get; init; }
    public string? ProxyUsername { get; init; }
    public string? ProxyPassword { get; init; }

    /// <summary>
    /// OpenPGP public key(s) the upstream's signed metadata must verify against (deb Release, rpm repomd.xml), from the
    /// type block's <c>signingKeySecretRef</c>: ASCII-armored or binary, possibly a whole keyring.
    /// </summary>
    public byte[]? VerificationKeys { get; init; }

    /// <summary>The Remote's type block (<see cref="RemoteSpec.TypeOptions"/>): what the content type reads; null when the spec has none.</summary>
    [JsonConverter(typeof(TypeOptionsConverter<RemoteTypeOptions>))]
    public RemoteTypeOptions? TypeOptions { get; init; }

    public string DisplayName => $"{Namespace}/{Name}";

    /// <summary>Resolves a path relative to the base URL, refusing anything that escapes it.</summary>
    public Uri Resolve(string relativePath) => UpstreamPaths.Resolve(BaseUrl, relativePath);

    /// <summary>
    /// Resolves a link from upstream metadata (absolute, or relative to <paramref name="pageUrl"/>), refusing one that leaves the
    /// Remote's scheme or folder (<see cref="UpstreamPaths.UrlProblem"/>); <paramref name="what"/> names the page for messages.
    /// </summary>
    public Uri ResolveLink(Uri pageUrl, string href, string what) => UpstreamPaths.ResolveLink(BaseUrl, pageUrl, href, what);

    /// <summary>Null when <paramref name="url"/> may be fetched for this Remote, otherwise why not (<see cref="UpstreamPaths.UrlProblem"/>).</summary>
    public string? UrlProblem(Uri url) => UpstreamPaths.UrlProblem(BaseUrl, url);

    public override string ToString() => $"Remote {DisplayName} ({Type}, {UrlSanitizer.Sanitize(BaseUrl.ToString())})";
}
