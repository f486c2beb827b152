namespace Packyard.Plugins;

/// <summary>Reads an upstream's metadata and declares the content it holds, streaming.</summary>
public interface ISyncSource
{
    IAsyncEnumerable<DeclaredContent> ReadUpstreamAsync(SyncContext context, CancellationToken cancellationToken);
}

/// <summary>Describes an uploaded, already stored and digested package.</summary>
public interface IUploadParser
{
    /// <summary>
    /// The bodies this type takes on the upload API: a multipart form (the default), a raw request body (streamed, e.g. an
    /// OCI blob PUT/PATCH), or both. Anything else is answered 415 before the body is read.
    /// </summary>
    UploadBodies Accepts => UploadBodies.Multipart;

    Task<DeclaredContent> ParseAsync(UploadContext context, CancellationToken cancellationToken);
}

/// <summary>Renders the metadata files of one repository version.</summary>
public interface IPublisher
{
    /// <summary>When true, content artifacts are served at their relative paths beside the published files.</summary>
    bool PassThrough { get; }

    Task PublishAsync(PublishContext context, CancellationToken cancellationToken);
}

/// <summary>Answers type-specific paths that are not plain published files (e.g. content negotiation, APIs).</summary>
public interface IContentRoutes
{
    Task<bool> TryServeAsync(ServeContext context, string path, CancellationToken cancellationToken);
}

/// <summary>
/// A type's own API at the root of the content server (e.g. the OCI distribution API under <c>/v2/</c>), answered before any
/// distribution base path is looked up. Each of <see cref="FirstSegments"/> must be one of Packyard.Api's
/// <c>ReservedPaths.FirstSegments</c> (so no Distribution can take it) and claimed by one type only; the registry checks both.
/// </summary>
public interface IRootRoutes
{
    /// <summary>The first path segments this type answers (without slashes, lower case), e.g. <c>v2</c>.</summary>
    IReadOnlyList<string> FirstSegments { get; }

    /// <summary>Answers the request; false leaves it to the server (a 404).</summary>
    Task<bool> TryServeAsync(RootRouteContext context, CancellationToken cancellationToken);
}

/// <summary>Type-specific promotion selection (e.g. <c>myapp==1.4.2</c>); absent means names match exactly.</summary>
public interface IContentSelector
{
    bool Matches(string selector, string name, string? version);
}
