using System.Globalization;
using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>
/// Source packages (<c>spec.deb.sources</c>): a Sources stanza becomes one unit whose artifacts are the .dsc and every file it
/// lists, each with the SHA256 and size of the stanza's <c>Checksums-Sha256</c> (signed through the Release), re-homed to
/// <c>pool/&lt;component&gt;/&lt;prefix&gt;/&lt;source&gt;/</c>. Its metadata keeps the stanza with that <c>Directory</c>.
/// </summary>
internal static class DebSourcePackage
{
    /// <summary>The architecture that stands for a source package in keys; no binary package has it.</summary>
    public const string Architecture = "source";

    public static DeclaredContent ToUnit(SyncContext context, ControlStanza stanza, string sourceName, string folder, string distribution, string component, bool flat)
    {
        var package = DebSyncSource.Required(stanza, "Package", sourceName);
        var version = DebSyncSource.Required(stanza, "Version", sourceName);
        var directory = stanza["Directory"] is { Length: > 0 } d && !d.Contains('\n', StringComparison.Ordinal) ? d.Trim() : (flat ? "." : null);
        if (directory is null)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: source package '{package}' has no valid Directory field");
        }

        if (DebianVersion.TryParse(version, out var versionError) is null)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName}: source package {package} has invalid Version '{version}': {versionError}");
        }

        var files = Checksums(stanza, package, version, sourceName);
        var dsc = files.FindIndex(f => f.Name.EndsWith(".dsc", StringComparison.Ordinal)) is var found and >= 0
            ? files[found]
            : throw new InvalidUpstreamMetadataException($"{sourceName}: source package {package} {version} lists no .dsc in Checksums-Sha256");
        var upstreamDirectory = directory is "." or "./" ? (flat ? folder : "") : directory.TrimEnd('/') + "/";
        var poolDirectory = DebContentType.PoolPath(component, package, "")[..^1];
        var artifacts = new List<DeclaredArtifact>(files.Count);
        foreach (var file in files)
        {
            var poolPath = $"{poolDirectory}/{file.Name}";
            if (UpstreamPaths.Problem(poolPath) is not null || UpstreamPaths.Problem(upstreamDirectory + file.Name) is not null)
            {
                throw new InvalidUpstreamMetadataException(
                    $"{sourceName}: source package {package} {version}: unsafe file '{upstreamDirectory}{file.Name}'");
            }

            artifacts.Add(new DeclaredArtifact(poolPath, file.Sha256, file.Size, context.Remote.Resolve(upstreamDirectory + file.Name)));
        }

        stanza.Set("Directory", poolDirectory);
        var metadata = DebContentType.MetadataJson(DebContentType.Metadata(distribution, component, stanza) with { Source = true });
        return new DeclaredContent(
            DebContentType.NaturalKey(package, version, Architecture, dsc.Sha256, distribution, component),
            DebContentType.RepoKey(package, version, Architecture, distribution, component),
            package, version, metadata, artifacts);
    }

    /// <summary>The <c>Checksums-Sha256</c> lines of a Sources stanza: sha256, size and a plain file name each.</summary>
    private static List<(string Sha256, long Size, string Name)> Checksums(ControlStanza stanza, string package, string version, string sourceName)
    {
        var value = stanza["Checksums-Sha256"]
            ?? throw new InvalidUpstreamMetadataException($"{sourceName}: source package {package} {version} has no Checksums-Sha256 field");
        var files = new List<(string, long, string)>();
        foreach (var line in value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !Digests.IsSha256(parts[0])
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                || parts[2].Contains('/', StringComparison.Ordinal) || parts[2] is "." or "..")
            {
                throw new InvalidUpstreamMetadataException($"{sourceName}: source package {package} {version}: invalid Checksums-Sha256 line '{line}'");
            }

            files.Add((parts[0].ToLowerInvariant(), size, parts[2]));
        }

        return files;
    }
}
