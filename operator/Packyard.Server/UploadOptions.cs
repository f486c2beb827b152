namespace Packyard.Server;

/// <summary>Bounds on an upload's multipart form besides its file part (which streams to the artifact store).</summary>
public sealed class UploadOptions
{
    /// <summary>
    /// Largest value of one non-file form field (e.g. <c>relativePath</c>). twine sends the whole README as
    /// <c>description</c>, and some are well above 64 KiB, hence 1 MiB.
    /// </summary>
    public int MaxFieldBytes { get; init; } = 1 << 20;

    /// <summary>Largest sum of all non-file form fields of one upload.</summary>
    public long MaxFieldsTotalBytes { get; init; } = 4L << 20;

    /// <summary>Most non-file form fields one upload may send (twine sends about 25).</summary>
    public int MaxFields { get; init; } = 100;
}
