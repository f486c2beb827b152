using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Python;

/// <summary>
/// A reverse proxy on 127.0.0.1 that forwards GETs to the content app asking for <c>text/html</c> only, so a pip that
/// prefers PEP 691 JSON sees PEP 503 HTML pages. Records the paths it forwarded.
/// </summary>
public sealed class HtmlOnlyFront : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient client;

    private HtmlOnlyFront(WebApplication app, HttpClient client, Uri url)
    {
        this.app = app;
        this.client = client;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<string> Forwarded { get; } = new();

    public static async Task<HtmlOnlyFront> StartAsync(Uri target)
    {
        var url = new Uri($"http://127.0.0.1:{HttpUpstream.FreePort()}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url.ToString());
        var client = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(30) };
        var app = builder.Build();
        var front = new HtmlOnlyFront(app, client, url);
        app.Run(async http =>
        {
            var path = http.Request.Path.Value ?? "/";
            front.Forwarded.Enqueue(path);
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Accept", "text/html");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
            http.Response.StatusCode = (int)response.StatusCode;
            http.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            if (response.Headers.Location is { } location)
            {
                http.Response.Headers.Location = location.ToString();
            }

            await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
        });
        await app.StartAsync();
        return front;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        client.Dispose();
    }
}
