namespace Packyard.Server;

/// <summary>Bounds on an upload's multipart form besides its file part (which streams to the artifact store).</summary>
public sealed class UploadOptions
{
    /// <summary>Largest value of one non-file form field (e.g. <c>relativePath</c>, twine's <c>description</c>).</summary>
    public int MaxFieldBytes { get; init; } = 64 * 1024;

    /// <summary>Most non-file form fields one upload may send (twine sends about 25).</summary>
    public int MaxFields { get; init; } = 100;
}
