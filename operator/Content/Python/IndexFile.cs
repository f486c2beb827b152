namespace Packyard.Content.Python;

/// <summary>
/// A file listed on a project's simple page: its name, absolute URL (fragment removed), sha256, requires-python,
/// yanked state (PEP 592) and core metadata (PEP 658/714): <see cref="CoreMetadata"/> is true when the page says a
/// <c>.metadata</c> file exists, with its sha256 in <see cref="CoreMetadataSha256"/> when given.
/// </summary>
internal sealed record IndexFile(
    string FileName,
    Uri Url,
    string? Sha256,
    string? RequiresPython,
    bool Yanked,
    string? YankedReason,
    bool CoreMetadata,
    string? CoreMetadataSha256,
    long? Size);
