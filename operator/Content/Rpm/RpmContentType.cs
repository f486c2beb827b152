using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Packyard.Content.Rpm;

/// <summary>
/// The <c>rpm</c> content type: binary packages of yum/dnf repositories plus the repository-wide metadata files carried
/// through (updateinfo, comps, modules). A package unit is one rpm file (natural key: name, epoch, version, release, arch,
/// sha256); units with the same name, epoch, version, release and arch replace each other. Its stored metadata holds the
/// package's primary, filelists and other XML entries, so a publication streams them back out without re-reading rpms.
/// </summary>
internal static class RpmContentType
{
    public const string Name = "rpm";

    public const string CommonNamespace = "http://linux.duke.edu/metadata/common";
    public const string RpmNamespace = "http://linux.duke.edu/metadata/rpm";
    public const string FilelistsNamespace = "http://linux.duke.edu/metadata/filelists";
    public const string OtherNamespace = "http://linux.duke.edu/metadata/other";
    public const string RepoNamespace = "http://linux.duke.edu/metadata/repo";

    /// <summary>The repomd.xml data types carried through unchanged (besides primary, filelists and other, which are rebuilt).</summary>
    public static IReadOnlySet<string> CarriedTypes { get; } = new HashSet<string>(StringComparer.Ordinal) { "updateinfo", "group", "group_gz", "modules" };

    public static string NaturalKey(PackageIdentity package, string sha256) =>
        $"{package.Name}\n{package.Epoch}\n{package.Version}\n{package.Release}\n{package.Arch}\n{sha256}";

    public static string RepoKey(PackageIdentity package) => $"packages/{package.Name}-{package.Epoch}:{package.Version}-{package.Release}.{package.Arch}";

    public static string MetadataRepoKey(string type) => $"repodata/{type}";

    /// <summary><c>Packages/&lt;first letter&gt;/&lt;file&gt;</c>, the letter lower-cased, as Fedora's trees lay packages out.</summary>
    public static string PackagePath(string fileName) => $"Packages/{char.ToLowerInvariant(fileName[0])}/{fileName}";

    private static readonly JsonSerializerOptions MetadataOptions = new(JsonSerializerDefaults.Web)
    {
        // Units hold XML: keep '<', '>' and '&' readable instead of \u003C escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = RpmJsonContext.Default,
    };

    private static readonly RpmJsonContext MetadataContext = new(MetadataOptions);

    public static string MetadataJson(RpmUnitMetadata metadata) => JsonSerializer.Serialize(metadata, MetadataContext.RpmUnitMetadata);

    public static RpmUnitMetadata ReadMetadata(string json, long unitId) =>
        JsonSerializer.Deserialize(json, MetadataContext.RpmUnitMetadata) ?? throw new InvalidOperationException($"unit {unitId} has no rpm metadata");
}

/// <summary>Name, epoch, version, release and arch of a package.</summary>
internal sealed record PackageIdentity(string Name, string Epoch, string Version, string Release, string Arch)
{
    /// <summary>The EVR as the engine orders it: <c>version-release</c>, with <c>epoch:</c> when the epoch is not 0.</summary>
    public string Evr => (Epoch is "0" or "" ? "" : Epoch + ":") + Version + "-" + Release;
}

/// <summary>
/// What a unit stores. A package (<see cref="Kind"/> "package") holds its entries of primary.xml, filelists.xml and
/// other.xml (elements without namespace declarations, location already pointing at <c>Packages/</c>); a repository
/// metadata file (<see cref="Kind"/> "repodata") holds its repomd type and the sizes and digests repomd.xml lists.
/// </summary>
internal sealed record RpmUnitMetadata(
    string Kind,
    string? Pkgid = null,
    string? Primary = null,
    string? Filelists = null,
    string? Other = null,
    string? Type = null,
    long? Size = null,
    string? OpenSha256 = null,
    long? OpenSize = null)
{
    public const string PackageKind = "package";
    public const string RepodataKind = "repodata";
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RpmUnitMetadata))]
internal sealed partial class RpmJsonContext : JsonSerializerContext;
