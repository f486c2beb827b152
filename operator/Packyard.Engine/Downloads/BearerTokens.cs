using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Packyard.Engine.Downloads;

/// <summary>
/// The registry token flow (Docker's and the OCI distribution spec's): an upstream answers 401 with
/// <c>WWW-Authenticate: Bearer realm=…,service=…,scope=…</c>; the token endpoint at <c>realm</c> gives a token for that
/// service and scope; the request is sent again with <c>Authorization: Bearer</c>. Tokens are cached per realm, service and
/// scope until they expire, and the newest one is sent ahead with the next requests to the same upstream host so a sync asks once.
/// <para>
/// The realm must pass the same URL rules as every other fetch of the Remote (its scheme, or https from an http Remote; never
/// <c>file:</c>). The Remote's basic credentials go to the realm, as Docker sends them, only when the realm is on the Remote's
/// own host name (any port) or is https: never in clear text to another host.
/// </para>
/// </summary>
internal sealed class BearerTokens(RemoteSettings remote, HttpClient http, TimeProvider time)
{
    /// <summary>Largest token endpoint answer read.</summary>
    public const int MaxTokenResponseBytes = 1 << 20;

    /// <summary>Shortest lifetime assumed when the endpoint says nothing (the spec's default is 60 s).</summary>
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Token> tokens = new(StringComparer.Ordinal);
    private volatile Token? latest;

    /// <summary>A token still valid that was last obtained for <paramref name="url"/>'s host, to send ahead; null when none.</summary>
    public string? Current(Uri url) =>
        latest is { } token && token.Expires > time.GetUtcNow() && string.Equals(token.Host, url.Authority, StringComparison.OrdinalIgnoreCase)
            ? token.Value
            : null;

    /// <summary>The Bearer challenge among <paramref name="headerValues"/>, with its realm, or null when there is none.</summary>
    public static AuthenticationChallenge? FindChallenge(IEnumerable<string> headerValues) =>
        AuthenticationChallenge.Parse(headerValues).FirstOrDefault(c =>
            string.Equals(c.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(c.Parameter("realm")));

    /// <summary>A token answering <paramref name="challenge"/> (sent by <paramref name="url"/>'s host), from the cache or the token endpoint.</summary>
    public async Task<string> GetAsync(Uri url, AuthenticationChallenge challenge, CancellationToken cancellationToken)
    {
        var realmText = challenge.Parameter("realm")!;
        if (!Uri.TryCreate(url, realmText, out var realm))
        {
            throw new UpstreamUnavailableException($"{UrlSanitizer.Sanitize(url.ToString())}: the Bearer challenge's realm '{UrlSanitizer.Sanitize(realmText)}' is not a URL");
        }

        if (remote.UrlProblem(realm) is { } problem)
        {
            throw new UpstreamUnavailableException($"{UrlSanitizer.Sanitize(url.ToString())}: refusing the token endpoint {UrlSanitizer.Sanitize(realm.ToString())} of its Bearer challenge: {problem}");
        }

        var service = challenge.Parameter("service");
        var scope = challenge.Parameter("scope");
        var key = $"{realm}\n{service}\n{scope}";
        if (tokens.TryGetValue(key, out var cached) && cached.Expires > time.GetUtcNow())
        {
            latest = cached;
            return cached.Value;
        }

        var query = new List<string>();
        if (!string.IsNullOrEmpty(service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        foreach (var part in (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            query.Add("scope=" + Uri.EscapeDataString(part));
        }

        var builder = new UriBuilder(realm);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', (existing.Length > 0 ? [existing] : Array.Empty<string>()).Concat(query));
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (remote.Username is not null && (IsRemoteHost(realm) || realm.Scheme == Uri.UriSchemeHttps))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{remote.Username}:{remote.Password}")));
        }

        var display = UrlSanitizer.Sanitize(realm.ToString());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(remote.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new UpstreamUnavailableException($"token endpoint {display}: {e.Message}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var hint = (int)response.StatusCode is 401 or 403 ? " (check the Remote's authSecretRef)" : "";
                throw new UpstreamUnavailableException($"token endpoint {display}: HTTP {(int)response.StatusCode}{hint}");
            }

            if (response.Content.Headers.ContentLength > MaxTokenResponseBytes)
            {
                throw new UpstreamUnavailableException($"token endpoint {display}: answer of {response.Content.Headers.ContentLength} bytes exceeds {MaxTokenResponseBytes}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await body.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > MaxTokenResponseBytes)
                {
                    throw new UpstreamUnavailableException($"token endpoint {display}: answer exceeds {MaxTokenResponseBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            var token = Read(buffer.ToArray(), display, url.Authority);
            tokens[key] = token;
            latest = token;
            return token.Value;
        }
    }

    private Token Read(byte[] json, string display, string host)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var value = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (string.IsNullOrEmpty(value))
            {
                throw new UpstreamUnavailableException($"token endpoint {display}: the answer has no token");
            }

            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds) : DefaultLifetime;
            // Renewed a little before the endpoint's deadline, so a token does not expire between sending and arriving.
            var margin = TimeSpan.FromSeconds(Math.Min(10, lifetime.TotalSeconds / 10));
            return new Token(value, time.GetUtcNow() + lifetime - margin, host);
        }
        catch (JsonException e)
        {
            throw new UpstreamUnavailableException($"token endpoint {display}: the answer is not JSON ({e.Message})", e);
        }
    }

    /// <summary>The realm is on the Remote's host name (any port: a registry's token service often listens beside it).</summary>
    private bool IsRemoteHost(Uri url) => string.Equals(url.IdnHost, remote.BaseUrl.IdnHost, StringComparison.OrdinalIgnoreCase);

    private sealed record Token(string Value, DateTimeOffset Expires, string Host);
}
