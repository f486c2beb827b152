using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Engine.History;
using Packyard.Plugins;

namespace Packyard.StatusPage;

/// <summary>
/// The read-only status page: <c>GET /</c> (every resource, distributions with client set-up, repositories, the task queue) and
/// <c>GET /-/repositories/&lt;namespace&gt;/&lt;name&gt;</c> (every version, recent tasks). It answers before the content
/// app, which has nothing at <c>/</c> and no base path can start with <c>-</c>. No authentication of its own, no secret on it.
/// </summary>
public static class StatusPageEndpoint
{
    private const int QueueLimit = 200;
    private const int RecentTaskLimit = 20;

    /// <summary>Registers the page's services (its engine queries are <see cref="RepositoryHistory"/>); the host adds its <see cref="IStatusPageResources"/>.</summary>
    public static IServiceCollection AddStatusPage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<RepositoryHistory>();
        return services;
    }

    /// <summary>Answers the page's paths; call before the content app (<c>UsePackyardContent</c>).</summary>
    public static WebApplication UseStatusPage(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(next => http =>
        {
            var path = http.Request.Path.Value;
            return path == "/" || path?.StartsWith("/-/", StringComparison.Ordinal) == true ? ServeAsync(http) : next(http);
        });
        return app;
    }

    private static async Task ServeAsync(HttpContext http)
    {
        var cancellationToken = http.RequestAborted;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.Headers.Allow = "GET, HEAD";
            await TextAsync(http, StatusCodes.Status405MethodNotAllowed, "the status page is read-only: GET and HEAD\n");
            return;
        }

        var services = http.RequestServices;
        var resources = services.GetRequiredService<IStatusPageResources>();
        var history = services.GetRequiredService<RepositoryHistory>();
        var contentUrl = services.GetRequiredService<ContentUrl>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        try
        {
            var all = await resources.ListAsync(cancellationToken);
            var path = http.Request.Path.Value!;
            if (path == "/")
            {
                await HtmlAsync(http, StatusCodes.Status200OK, StatusPageRenderer.Overview(all, await history.ListOpenTasksAsync(QueueLimit, cancellationToken), contentUrl,
                    services.GetRequiredService<ContentTypeRegistry>(), now));
                return;
            }

            var parts = path.StartsWith(StatusPageRenderer.RepositoryPrefix, StringComparison.Ordinal)
                ? path[StatusPageRenderer.RepositoryPrefix.Length..].TrimEnd('/').Split('/')
                : [];
            var entry = parts.Length == 2
                ? all.FirstOrDefault(r => r.Resource is Repository && r.Namespace == parts[0] && r.Name == parts[1])
                : null;
            if (entry is null)
            {
                await HtmlAsync(http, StatusCodes.Status404NotFound, StatusPageRenderer.NotFound(
                    parts.Length == 2 ? $"No Repository {parts[0]}/{parts[1]}." : $"Nothing at {path}.", now));
                return;
            }

            IReadOnlyList<VersionInfo> versions;
            try
            {
                versions = await history.ListVersionsAsync(entry.Namespace, entry.Name, cancellationToken);
            }
            catch (UnknownRepositoryException)
            {
                versions = []; // declared, not reconciled yet: no engine record
            }

            var tasks = await history.ListTasksAsync($"{entry.Kind}/{entry.Namespace}/{entry.Name}", RecentTaskLimit, cancellationToken);
            await HtmlAsync(http, StatusCodes.Status200OK, StatusPageRenderer.Repository(entry, all, versions, tasks, contentUrl, now));
        }
        catch (Exception e) when (!http.Response.HasStarted && e is NpgsqlException or HttpRequestException or ControllerRuntime.KubernetesApiException or TimeoutException)
        {
            http.Response.Headers.RetryAfter = "5";
            await TextAsync(http, StatusCodes.Status503ServiceUnavailable, $"the status page cannot read its sources now: {Plugins.UrlSanitizer.Sanitize(e.Message)}\n");
        }
    }

    private static Task HtmlAsync(HttpContext http, int status, string html) => WriteAsync(http, status, "text/html; charset=utf-8", html);

    private static Task TextAsync(HttpContext http, int status, string text) => WriteAsync(http, status, "text/plain; charset=utf-8", text);

    private static async Task WriteAsync(HttpContext http, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        http.Response.ContentLength = bytes.Length;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        http.Response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'";
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        }
    }
}
