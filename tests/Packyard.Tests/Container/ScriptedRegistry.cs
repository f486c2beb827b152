using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Container;

/// <summary>
/// A registry on 127.0.0.1 that serves what a test scripts, including what no real registry would serve (bytes that do not
/// match their digest, schema 1, a manifest of 100 MB, 100,000 tags): the OCI read API for one or more repositories, tags/list
/// with <c>n</c>/<c>last</c> and <c>Link</c>, HEAD with <c>Docker-Content-Digest</c>, and optionally the Bearer token flow
/// (a token endpoint at <c>/token</c> that wants <see cref="TokenUser"/>'s basic credentials when set).
/// </summary>
public sealed class ScriptedRegistry : IAsyncDisposable
{
    private readonly WebApplication app;

    /// <summary>repository → tag → digest.</summary>
    public ConcurrentDictionary<string, ConcurrentDictionary<string, string>> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>digest → (media type, bytes) served for manifests (by digest or tag).</summary>
    public ConcurrentDictionary<string, (string MediaType, byte[] Bytes)> Manifests { get; } = new(StringComparer.Ordinal);

    /// <summary>digest → bytes served for blobs.</summary>
    public ConcurrentDictionary<string, byte[]> Blobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Request counts by "METHOD path".</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, /v2/ requests need a Bearer token from /token (the registry token flow).</summary>
    public bool RequireBearer { get; init; }

    /// <summary>Basic credentials the token endpoint wants (null: tokens for anyone).</summary>
    public (string User, string Password)? TokenUser { get; init; }

    /// <summary>The realm the challenge names (default: this registry's <c>/token</c>).</summary>
    public Uri? Realm { get; set; }

    /// <summary>Lifetime the token endpoint announces.</summary>
    public int TokenExpiresInSeconds { get; set; } = 300;

    /// <summary>Authorization headers the token endpoint received.</summary>
    public ConcurrentQueue<string?> TokenRequests { get; } = new();

    /// <summary>When false, HEAD answers carry no Docker-Content-Digest (some registries omit it).</summary>
    public bool SendDigestHeader { get; set; } = true;

    /// <summary>Page size used when a client sends no n.</summary>
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>Largest page served, whatever n the client asks for (forces pagination).</summary>
    public int MaxPageSize { get; set; } = 1000;

    public Uri Url { get; }

    private readonly ConcurrentDictionary<string, bool> issued = new(StringComparer.Ordinal);

    private ScriptedRegistry(int port)
    {
        Url = new Uri($"http://127.0.0.1:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        app = builder.Build();
        app.Run(HandleAsync);
    }

    public static async Task<ScriptedRegistry> StartAsync(bool requireBearer = false, (string, string)? tokenUser = null)
    {
        var registry = new ScriptedRegistry(HttpUpstream.FreePort()) { RequireBearer = requireBearer, TokenUser = tokenUser };
        await registry.app.StartAsync();
        return registry;
    }

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public int Count(string method, string path) => Requests.GetValueOrDefault($"{method} {path}");

    public int CountPrefix(string prefix) => Requests.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(r => r.Value);

    public string AddBlob(byte[] bytes)
    {
        var digest = Digest(bytes);
        Blobs[digest] = bytes;
        return digest;
    }

    public string AddManifest(string mediaType, byte[] bytes)
    {
        var digest = Digest(bytes);
        Manifests[digest] = (mediaType, bytes);
        return digest;
    }

    public void Tag(string repository, string tag, string digest) =>
        Tags.GetOrAdd(repository, _ => new ConcurrentDictionary<string, string>(StringComparer.Ordinal))[tag] = digest;

    private async Task HandleAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        Requests.AddOrUpdate($"{http.Request.Method} {path}", 1, (_, n) => n + 1);
        if (path == "/token")
        {
            await TokenAsync(http);
            return;
        }

        if (RequireBearer)
        {
            var header = http.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !issued.ContainsKey(header[7..]))
            {
                var scope = RepositoryOf(path) is { } repository ? $",scope=\"repository:{repository}:pull\"" : "";
                http.Response.StatusCode = 401;
                http.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{Realm ?? new Uri(Url, "token")}\",service=\"scripted-registry\"{scope}";
                return;
            }
        }

        if (path is "/v2/" or "/v2")
        {
            await http.Response.WriteAsync("{}");
            return;
        }

        var tagsSuffix = "/tags/list";
        if (path.EndsWith(tagsSuffix, StringComparison.Ordinal))
        {
            await TagListAsync(http, path[4..^tagsSuffix.Length]);
            return;
        }

        foreach (var kind in new[] { "/manifests/", "/blobs/" })
        {
            var at = path.LastIndexOf(kind, StringComparison.Ordinal);
            if (at > 4)
            {
                var repository = path[4..at];
                var reference = path[(at + kind.Length)..];
                if (kind == "/blobs/")
                {
                    await BlobAsync(http, reference);
                }
                else
                {
                    await ManifestAsync(http, repository, reference);
                }

                return;
            }
        }

        http.Response.StatusCode = 404;
    }

    private static string? RepositoryOf(string path)
    {
        foreach (var kind in new[] { "/manifests/", "/blobs/", "/tags/list", "/referrers/" })
        {
            var at = path.LastIndexOf(kind, StringComparison.Ordinal);
            if (at > 4)
            {
                return path[4..at];
            }
        }

        return null;
    }

    private async Task TokenAsync(HttpContext http)
    {
        var authorization = http.Request.Headers.Authorization.Count == 0 ? null : http.Request.Headers.Authorization.ToString();
        TokenRequests.Enqueue(authorization);
        if (TokenUser is { } user && authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.User}:{user.Password}")))
        {
            http.Response.StatusCode = 401;
            return;
        }

        var token = Guid.NewGuid().ToString("N");
        issued[token] = true;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync($"{{\"token\":\"{token}\",\"expires_in\":{TokenExpiresInSeconds}}}");
    }

    private async Task TagListAsync(HttpContext http, string repository)
    {
        if (!Tags.TryGetValue(repository, out var tags))
        {
            http.Response.StatusCode = 404;
            return;
        }

        var n = Math.Min(MaxPageSize, int.TryParse(http.Request.Query["n"], out var parsed) ? parsed : DefaultPageSize);
        var last = http.Request.Query["last"].ToString();
        var all = tags.Keys.Order(StringComparer.Ordinal).Where(t => last.Length == 0 || string.CompareOrdinal(t, last) > 0).ToList();
        var page = all.Take(n).ToList();
        if (page.Count < all.Count)
        {
            http.Response.Headers.Link = $"</v2/{repository}/tags/list?n={n}&last={page[^1]}>; rel=\"next\"";
        }

        http.Response.ContentType = "application/json";
        var json = new StringBuilder($"{{\"name\":\"{repository}\",\"tags\":[");
        json.AppendJoin(',', page.Select(t => $"\"{t}\"")).Append("]}");
        await http.Response.WriteAsync(json.ToString());
    }

    private async Task ManifestAsync(HttpContext http, string repository, string reference)
    {
        var digest = reference.Contains(':', StringComparison.Ordinal) ? reference
            : Tags.TryGetValue(repository, out var tags) && tags.TryGetValue(reference, out var tagged) ? tagged : null;
        if (digest is null || !Manifests.TryGetValue(digest, out var manifest))
        {
            http.Response.StatusCode = 404;
            return;
        }

        http.Response.ContentType = manifest.MediaType;
        http.Response.ContentLength = manifest.Bytes.Length;
        if (SendDigestHeader)
        {
            http.Response.Headers["Docker-Content-Digest"] = digest;
        }

        if (HttpMethods.IsGet(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(manifest.Bytes);
        }
    }

    private async Task BlobAsync(HttpContext http, string digest)
    {
        if (!Blobs.TryGetValue(digest, out var bytes))
        {
            http.Response.StatusCode = 404;
            return;
        }

        http.Response.ContentType = "application/octet-stream";
        http.Response.ContentLength = bytes.Length;
        if (HttpMethods.IsGet(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(bytes);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
