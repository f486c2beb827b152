namespace Packyard.Plugins;

/// <summary>
/// One content unit as a content type declares it. <paramref name="NaturalKey"/> identifies the unit (same key,
/// same content); units with the same <paramref name="RepoKey"/> replace each other inside a repository version.
/// <paramref name="MetadataJson"/> is a JSON object the type's publisher reads back.
/// </summary>
public sealed record DeclaredContent(
    string NaturalKey,
    string RepoKey,
    string Name,
    string? Version,
    string MetadataJson,
    IReadOnlyList<DeclaredArtifact> Artifacts);

/// <summary>A file of a content unit: where it is served, what digest it must have, and where to download it.</summary>
public sealed record DeclaredArtifact(string RelativePath, string Sha256, long? Size, Uri? Url);
