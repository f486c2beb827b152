namespace Packyard.Engine.Plugins;

/// <summary>Reads an upstream's metadata and declares the content it holds, streaming.</summary>
public interface ISyncSource
{
    IAsyncEnumerable<DeclaredContent> ReadUpstreamAsync(SyncContext context, CancellationToken cancellationToken);
}

/// <summary>Describes an uploaded, already stored and digested package.</summary>
public interface IUploadParser
{
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

/// <summary>Type-specific promotion selection (e.g. <c>myapp==1.4.2</c>); absent means names match exactly.</summary>
public interface IContentSelector
{
    bool Matches(string selector, string name, string? version);
}
