using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Packyard.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 serving a folder, for upstream tests: counts requests per path, and can be told to
/// fail a path (status code), delay it, require basic auth, or stop answering.
/// </summary>
public sealed class HttpUpstream : IAsyncDisposable
{
    private readonly WebApplication app;

    public ConcurrentDictionary<string, int> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>Path → status code to answer instead of the file (e.g. 500 for a flaky upstream).</summary>
    public ConcurrentDictionary<string, int> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>How many times a path in <see cref="Failures"/> fails before it is served (absent = always).</summary>
    public ConcurrentDictionary<string, int> FailTimes { get; } = new(StringComparer.Ordinal);

    public TimeSpan Delay { get; set; }

    /// <summary>The Authorization header of every request, in arrival order (null where none was sent).</summary>
    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public (string User, string Password)? RequiredBasicAuth { get; set; }

    /// <summary>When set, requests without <c>Authorization: Bearer</c> and this token are answered 401.</summary>
    public string? RequiredBearerToken { get; set; }

    public Uri Url { get; }

    private HttpUpstream(string root, X509Certificate2? certificate, int? fixedPort)
    {
        var port = fixedPort ?? FreePort();
        Url = new Uri($"{(certificate is null ? "http" : "https")}://127.0.0.1:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        app = builder.Build();
        app.Run(async http =>
        {
            var path = Uri.UnescapeDataString(http.Request.Path.Value!.TrimStart('/'));
            Requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            Authorizations.Enqueue(http.Request.Headers.Authorization.Count == 0 ? null : http.Request.Headers.Authorization.ToString());
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, http.RequestAborted);
            }

            if (RequiredBasicAuth is { } auth)
            {
                var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{auth.User}:{auth.Password}"));
                if (http.Request.Headers.Authorization != expected)
                {
                    http.Response.StatusCode = 401;
                    return;
                }
            }

            if (RequiredBearerToken is { } token && http.Request.Headers.Authorization != $"Bearer {token}")
            {
                http.Response.StatusCode = 401;
                return;
            }

            if (Failures.TryGetValue(path, out var status))
            {
                // With FailTimes[path] = n the first n requests fail, later ones are served.
                var fail = !FailTimes.ContainsKey(path) || FailTimes.AddOrUpdate(path, 0, (_, n) => n - 1) >= 0;
                if (fail)
                {
                    http.Response.StatusCode = status;
                    return;
                }
            }

            var file = Path.GetFullPath(Path.Combine(root, path));
            if (!file.StartsWith(root, StringComparison.Ordinal) || !File.Exists(file))
            {
                http.Response.StatusCode = 404;
                return;
            }

            await Results.File(file, "application/octet-stream").ExecuteAsync(http);
        });
    }

    /// <summary>
    /// Serves <paramref name="root"/> over HTTP, or HTTPS with <paramref name="certificate"/>, on a free port or on <paramref name="port"/>
    /// (an upstream that comes up where a Remote already points).
    /// </summary>
    public static async Task<HttpUpstream> StartAsync(string root, X509Certificate2? certificate = null, int? port = null)
    {
        var upstream = new HttpUpstream(Path.GetFullPath(root), certificate, port);
        await upstream.app.StartAsync();
        return upstream;
    }

    public int RequestsFor(string path) => Requests.GetValueOrDefault(path);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
