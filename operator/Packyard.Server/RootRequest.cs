using Microsoft.AspNetCore.Http;

namespace Packyard.Server;

/// <summary>The server's side of <see cref="RootRouteContext"/>: a request under a first segment a content type claimed.</summary>
internal sealed class RootRequest(HttpContext http, UploadEndpoint uploads) : RootRouteContext
{
    public override HttpContext Http { get; } = http;

    public override string Path { get; } = (http.Request.Path.Value ?? "").TrimStart('/');

    public override Task UploadAsync(string ns, string repository, string fileName, IReadOnlyDictionary<string, string> fields,
        CancellationToken cancellationToken) =>
        uploads.HandleAsync(Http, ns, repository, new RawUpload(fileName, fields));
}
