using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Packyard.Api.Resources;

namespace Packyard.Server;

/// <summary>Registers and maps the content app.</summary>
public static class ContentApp
{
    public static IServiceCollection AddPackyardContentApp(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new ServingCacheOptions());
        services.TryAddSingleton<SmallFileCache>();
        // No Server header on every response: bytes on the wire and a header write per request for nothing.
        services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        services.TryAddSingleton<DistributionCache>();
        services.TryAddSingleton<FileLookup>();
        services.TryAddSingleton<DirectoryListing>();
        services.TryAddSingleton<OnDemandFetcher>();
        services.TryAddSingleton(new PullThroughOptions());
        services.TryAddSingleton<ContentRequestHandler>();
        services.TryAddSingleton(new UploadOptions());
        services.TryAddSingleton<UploadEndpoint>();
        services.TryAddSingleton(new PushOptions());
        services.TryAddSingleton<PushEndpoint>();
        services.TryAddSingleton<PullThroughService>();
        services.AddHostedService<ChangeListener>();
        return services;
    }

    /// <summary>
    /// The content app's pipeline: distribution content is answered by a terminal middleware placed before routing,
    /// so the hot path (a cached page or file) pays for no endpoint matching or endpoint invocation. A first path segment
    /// a content type claimed (<see cref="IRootRoutes"/>, e.g. <c>v2</c>) goes to that type before any base path is looked
    /// up; the other reserved first segments (<see cref="ReservedPaths.FirstSegments"/>: <c>api</c>, <c>healthz</c>…) go
    /// on to routing and the endpoints mapped by <see cref="MapPackyardContent"/> (and any the host maps itself).
    /// Middlewares the host adds before this call see every request.
    /// </summary>
    public static WebApplication UsePackyardContent(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var handler = app.Services.GetRequiredService<ContentRequestHandler>();
        var contentTypes = app.Services.GetRequiredService<ContentTypeRegistry>();
        app.Use(next => http =>
        {
            var first = ReservedPaths.FirstSegmentOf(http.Request.Path.Value);
            if (contentTypes.TryGetByFirstSegment(first, out var routes))
            {
                return ServeRootAsync(http, routes);
            }

            return ReservedPaths.IsReserved(first) ? next(http) : handler.HandleAsync(http);
        });
        app.UseRouting();
        app.MapPackyardContent();
        return app;
    }

    /// <summary>True when the path's first segment is reserved (compared as routing does, ignoring case).</summary>
    internal static bool IsReserved(PathString path) => ReservedPaths.IsReserved(ReservedPaths.FirstSegmentOf(path.Value));

    private static async Task ServeRootAsync(HttpContext http, IRootRoutes routes)
    {
        var context = new RootRequest(http);
        try
        {
            if (!await routes.TryServeAsync(context, http.RequestAborted) && !http.Response.HasStarted)
            {
                await ContentRequestHandler.ErrorAsync(http, StatusCodes.Status404NotFound, "not found");
            }
        }
        catch (Exception e) when (!http.Response.HasStarted && DependencyFailure.From(e) is { } failure)
        {
            // A push's database or store failing mid-request (reads catch theirs in ContentRequestHandler): 503/507, in the type's format.
            failure.Apply(http.Response);
            await ContentRequestHandler.ErrorAsync(http, failure.StatusCode, failure.Message);
        }
    }

    /// <summary>
    /// Maps health probes, the upload API and, as the fallback, distribution content (which, behind
    /// <see cref="UsePackyardContent"/>, only reserved paths no endpoint matched reach: they get the content app's 404).
    /// </summary>
    private static IEndpointRouteBuilder MapPackyardContent(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/healthz", ["GET", "HEAD"], () => Results.Text("ok\n"));
        endpoints.MapMethods("/readyz", ["GET", "HEAD"], async (NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        {
            try
            {
                await using var command = dataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return Results.Text("ok\n");
            }
            catch (NpgsqlException e)
            {
                return Results.Text($"database unavailable: {e.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        endpoints.MapPost("/api/v1/namespaces/{ns}/repositories/{name}/content",
            (HttpContext http, string ns, string name, UploadEndpoint upload) => upload.HandleAsync(http, ns, name)).DisableAntiforgery();
        endpoints.Map("/api/{**rest}", (HttpContext http) => ContentRequestHandler.ErrorAsync(http, 404, "unknown API path"));
        // An explicit catch-all: the default fallback pattern skips paths that look like file names.
        endpoints.MapFallback("{**path}", (HttpContext http, ContentRequestHandler handler) => handler.HandleAsync(http));
        return endpoints;
    }
}
