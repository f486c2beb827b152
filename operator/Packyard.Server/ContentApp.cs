using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

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
        services.TryAddSingleton<UploadEndpoint>();
        services.TryAddSingleton<PullThroughService>();
        services.AddHostedService<ChangeListener>();
        return services;
    }

    /// <summary>Maps health probes, the upload API and, as the fallback, distribution content.</summary>
    public static IEndpointRouteBuilder MapPackyardContent(this IEndpointRouteBuilder endpoints)
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
