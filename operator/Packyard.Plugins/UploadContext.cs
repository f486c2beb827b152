namespace Packyard.Plugins;

/// <summary>
/// An upload whose body is already stored (and digested) in the artifact store. The engine builds it; a content type's
/// <see cref="IUploadParser"/> reads it.
/// </summary>
public sealed class UploadContext(string fileName, IReadOnlyDictionary<string, string> fields, UploadedArtifact artifact,
    Func<CancellationToken, Task<Stream>> open, Func<string, CancellationToken, Task<string?>>? findCurrent = null)
{
    public string FileName { get; } = fileName;

    /// <summary>Form fields sent with the file (e.g. <c>relativePath</c>); for a raw body, the query parameters.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; } = fields;

    public UploadedArtifact Artifact { get; } = artifact;

    /// <summary>How the body arrived: a multipart form's file part, or the request body itself (PUT/PATCH).</summary>
    public UploadBodies Body { get; init; } = UploadBodies.Multipart;

    /// <summary>The media type the client declared for the file (the part's or the request's Content-Type), or null.</summary>
    public string? MediaType { get; init; }

    /// <summary>Opens the stored body for reading.</summary>
    public Task<Stream> OpenAsync(CancellationToken cancellationToken) => open(cancellationToken);

    /// <summary>
    /// The natural key of the unit with repo key <paramref name="repoKey"/> in the repository's latest version, or null:
    /// lets a type refuse an upload that would replace different content under the same name (e.g. python's 409).
    /// </summary>
    public Task<string?> FindCurrentNaturalKeyAsync(string repoKey, CancellationToken cancellationToken) =>
        findCurrent is null ? Task.FromResult<string?>(null) : findCurrent(repoKey, cancellationToken);
}
