using System.Text.Json;
using System.Text.Json.Serialization;

namespace Packyard.Content.Deb;

/// <summary>
/// The <c>deb</c> content type: binary packages of APT repositories. A unit is one package file as it appears in one
/// distribution and component (natural key: package, version, architecture, sha256, distribution, component); units with
/// the same package, version and architecture in the same distribution and component replace each other.
/// </summary>
internal static class DebContentType
{
    public const string Name = "deb";

    public const string DefaultDistribution = "stable";

    public const string DefaultComponent = "main";

    public static string NaturalKey(string package, string version, string architecture, string sha256, string distribution, string component) =>
        $"{package}\n{version}\n{architecture}\n{sha256}\n{distribution}\n{component}";

    public static string RepoKey(string package, string version, string architecture, string distribution, string component) =>
        $"{distribution}/{component}/{package}_{version}_{architecture}";

    /// <summary><c>pool/&lt;component&gt;/&lt;prefix&gt;/&lt;source&gt;/&lt;file&gt;</c>, prefix as Debian's archive: "libf" for libfoo, else the first letter.</summary>
    public static string PoolPath(string component, string source, string fileName)
    {
        var prefix = source.StartsWith("lib", StringComparison.Ordinal) && source.Length > 3 ? source[..4] : source[..1];
        return $"pool/{component}/{prefix}/{source}/{fileName}";
    }

    /// <summary>The source package name of a stanza: <c>Source</c> without a version in parentheses, else <c>Package</c>.</summary>
    public static string SourceName(ControlStanza stanza, string package)
    {
        var source = stanza["Source"];
        if (string.IsNullOrWhiteSpace(source))
        {
            return package;
        }

        var space = source.IndexOf(' ', StringComparison.Ordinal);
        return (space < 0 ? source : source[..space]).Trim();
    }

    public static DebUnitMetadata Metadata(string distribution, string component, ControlStanza stanza) =>
        new(distribution, component, [.. stanza.Fields.Select(f => new[] { f.Key, f.Value })]);

    public static string MetadataJson(DebUnitMetadata metadata) => JsonSerializer.Serialize(metadata, DebJsonContext.Default.DebUnitMetadata);
}

/// <summary>
/// What a unit's metadata holds: where it belongs, and its Packages stanza (or Sources stanza, when <see cref="Source"/>) as
/// ordered [field, value] pairs (jsonb keeps array order).
/// </summary>
internal sealed record DebUnitMetadata(string Distribution, string Component, IReadOnlyList<string[]> Fields,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Source = null)
{
    public ControlStanza ToStanza() => new(Fields.Select(f => new KeyValuePair<string, string>(f[0], f[1])));
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DebUnitMetadata))]
internal sealed partial class DebJsonContext : JsonSerializerContext;
