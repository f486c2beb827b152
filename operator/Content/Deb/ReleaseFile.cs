using System.Globalization;
using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>A parsed Release: its fields and the SHA256 list of the indices it signs.</summary>
internal sealed class ReleaseFile
{
    private ReleaseFile(ControlStanza stanza, Dictionary<string, IndexEntry> sha256)
    {
        Stanza = stanza;
        Sha256 = sha256;
    }

    public ControlStanza Stanza { get; }

    /// <summary>Index path (relative to the Release's folder) → SHA256 and size.</summary>
    public IReadOnlyDictionary<string, IndexEntry> Sha256 { get; }

    public bool AcquireByHash => string.Equals(Stanza["Acquire-By-Hash"], "yes", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<string> Components => Words(Stanza["Components"]);

    public IReadOnlyList<string> Architectures => Words(Stanza["Architectures"]);

    public static ReleaseFile Parse(ControlStanza stanza, string sourceName)
    {
        var entries = new Dictionary<string, IndexEntry>(StringComparer.Ordinal);
        var list = stanza["SHA256"] ?? throw new InvalidUpstreamMetadataException($"{sourceName} has no SHA256 field: APT needs SHA256 checksums of its indices");
        foreach (var line in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[0].Length != 64 || !parts[0].All(char.IsAsciiHexDigit)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                throw new InvalidUpstreamMetadataException($"{sourceName}: malformed SHA256 line '{line}'");
            }

            entries[parts[2]] = new IndexEntry(parts[0].ToLowerInvariant(), size);
        }

        return new ReleaseFile(stanza, entries);
    }

    private static string[] Words(string? value) => value?.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries) ?? [];
}

/// <summary>An index a Release signs.</summary>
internal sealed record IndexEntry(string Sha256, long Size);
