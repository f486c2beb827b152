using System.Runtime.CompilerServices;
using System.Text;
using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>
/// Reads deb822 control files (Release, Packages, Sources, DEBIAN/control) as a stream of stanzas, bounded by
/// <see cref="ControlFileLimits"/>: only one stanza is held in memory at a time.
/// </summary>
public static class ControlFileReader
{
    public static async IAsyncEnumerable<ControlStanza> ReadAsync(Stream stream, string sourceName, ControlFileLimits limits,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new BoundedLineReader(stream, sourceName, limits.MaxLineLength, limits.MaxTotalBytes);
        var fields = new List<KeyValuePair<string, string>>();
        string? name = null;
        var value = new StringBuilder();
        var stanzaBytes = 0L;
        var stanzaLine = 0;

        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null || line.Trim().Length == 0)
            {
                if (name is not null)
                {
                    fields.Add(new(name, value.ToString()));
                    name = null;
                }

                if (fields.Count > 0)
                {
                    yield return new ControlStanza(fields);
                    fields = [];
                }

                stanzaBytes = 0;
                if (line is null)
                {
                    yield break;
                }

                continue;
            }

            if (fields.Count == 0 && name is null)
            {
                stanzaLine = reader.LineNumber;
            }

            stanzaBytes += line.Length + 1;
            if (stanzaBytes > limits.MaxStanzaBytes)
            {
                throw new InvalidUpstreamMetadataException($"{sourceName}:{stanzaLine}: stanza larger than {limits.MaxStanzaBytes} bytes");
            }

            if (line[0] == '#')
            {
                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                if (name is null)
                {
                    throw new InvalidUpstreamMetadataException($"{sourceName}:{reader.LineNumber}: continuation line without a field");
                }

                value.Append('\n').Append(line.TrimEnd());
                continue;
            }

            if (name is not null)
            {
                fields.Add(new(name, value.ToString()));
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidUpstreamMetadataException($"{sourceName}:{reader.LineNumber}: expected 'Field: value', found '{Shorten(line)}'");
            }

            name = line[..colon].Trim();
            if (name.Length == 0 || name.Any(c => c <= ' ' || c > '~'))
            {
                throw new InvalidUpstreamMetadataException($"{sourceName}:{reader.LineNumber}: invalid field name '{Shorten(name)}'");
            }

            if (fields.Count + 1 > limits.MaxFields)
            {
                throw new InvalidUpstreamMetadataException($"{sourceName}:{stanzaLine}: stanza has more than {limits.MaxFields} fields");
            }

            value.Clear().Append(line.AsSpan(colon + 1).Trim());
        }
    }

    /// <summary>Reads a control text that must hold exactly one stanza (a Release file, DEBIAN/control).</summary>
    public static async Task<ControlStanza> ReadSingleAsync(Stream stream, string sourceName, ControlFileLimits limits, CancellationToken cancellationToken)
    {
        ControlStanza? first = null;
        await foreach (var stanza in ReadAsync(stream, sourceName, limits, cancellationToken))
        {
            first ??= stanza;
        }

        return first ?? throw new InvalidUpstreamMetadataException($"{sourceName} holds no fields");
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
