using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Python;

/// <summary>
/// A local simple index over a folder: <c>dir/</c> serves <c>dir/index.json</c> (as PEP 691 JSON) when the client
/// prefers JSON and the file exists, otherwise <c>dir/index.html</c>; other paths are files. Records requests and the
/// Accept headers it saw. Stoppable, to show what is served without the upstream.
/// </summary>
public sealed class PythonIndexUpstream : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string root;
    private bool stopped;

    public ConcurrentDictionary<string, int> Requests { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> AcceptHeaders { get; } = new();

    public Uri Url { get; }

    private PythonIndexUpstream(string root)
    {
        this.root = Path.GetFullPath(root);
        var port = HttpUpstream.FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        app = builder.Build();
        app.Run(ServeAsync);
    }

    public static async Task<PythonIndexUpstream> StartAsync(string root)
    {
        var upstream = new PythonIndexUpstream(root);
        await upstream.app.StartAsync();
        return upstream;
    }

    public int RequestsFor(string path) => Requests.GetValueOrDefault(path);

    public async Task StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            await app.StopAsync();
        }
    }

    private async Task ServeAsync(HttpContext http)
    {
        var path = Uri.UnescapeDataString(http.Request.Path.Value!.TrimStart('/'));
        Requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        AcceptHeaders.Enqueue(http.Request.Headers.Accept.ToString());
        var file = Path.GetFullPath(Path.Combine(root, path));
        if (!file.StartsWith(root, StringComparison.Ordinal))
        {
            http.Response.StatusCode = 404;
            return;
        }

        var mediaType = "application/octet-stream";
        if (path.Length == 0 || path.EndsWith('/'))
        {
            var json = Path.Combine(file, "index.json");
            var wantsJson = http.Request.Headers.Accept.ToString().Contains("application/vnd.pypi.simple.v1+json", StringComparison.Ordinal);
            (file, mediaType) = wantsJson && File.Exists(json)
                ? (json, "application/vnd.pypi.simple.v1+json")
                : (Path.Combine(file, "index.html"), "text/html");
        }

        if (!File.Exists(file))
        {
            http.Response.StatusCode = 404;
            return;
        }

        await Results.File(file, mediaType).ExecuteAsync(http);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await app.DisposeAsync();
    }
}
