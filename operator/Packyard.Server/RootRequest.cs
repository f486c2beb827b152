using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Packyard.Server;

/// <summary>The server's side of <see cref="RootRouteContext"/>: a request under a first segment a content type claimed.</summary>
internal sealed class RootRequest(HttpContext http) : RootRouteContext
{
    public override HttpContext Http { get; } = http;

    public override string Path { get; } = (http.Request.Path.Value ?? "").TrimStart('/');

    public override Task ServeDistributionPathAsync(string distributionPath, CancellationToken cancellationToken) =>
        Http.RequestServices.GetRequiredService<ContentRequestHandler>().HandleAsync(Http, "/" + distributionPath.TrimStart('/'));

    public override Task ServeDistributionPathAsync(string distributionPath, ErrorResponder errors, CancellationToken cancellationToken)
    {
        Http.Items[ContentRequestHandler.ErrorResponderKey] = errors;
        return ServeDistributionPathAsync(distributionPath, cancellationToken);
    }

    public override async Task<IReadOnlyList<PullThroughTarget>> PullThroughTargetsAsync(string type, CancellationToken cancellationToken)
    {
        var services = Http.RequestServices;
        var pullThrough = services.GetRequiredService<PullThroughService>();
        var targets = new List<PullThroughTarget>();
        foreach (var distribution in await services.GetRequiredService<DistributionCache>().PullThroughDistributionsAsync(cancellationToken))
        {
            if (distribution.Type == type && distribution.PinnedVersion is null
                && await pullThrough.GetRemoteAsync(distribution.PullThroughRemoteId!.Value, cancellationToken) is { } remote)
            {
                targets.Add(new PullThroughTarget(distribution.BasePath, remote));
            }
        }

        return targets;
    }

    public override Task UploadAsync(string ns, string repository, string fileName, IReadOnlyDictionary<string, string> fields,
        CancellationToken cancellationToken) =>
        // Resolved per upload: a host without the upload API's services (no authorizer) still serves type routes.
        Http.RequestServices.GetRequiredService<UploadEndpoint>().HandleAsync(Http, ns, repository, new RawUpload(fileName, fields));

    public override Task<PushTarget?> OpenPushAsync(string basePath, ErrorResponder errors, CancellationToken cancellationToken)
    {
        Http.Items[ContentRequestHandler.ErrorResponderKey] = errors;
        return Http.RequestServices.GetRequiredService<PushEndpoint>().OpenAsync(Http, basePath, errors, cancellationToken);
    }
}
