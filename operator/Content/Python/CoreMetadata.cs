using System.Text;

namespace Packyard.Content.Python;

/// <summary>The fields of a METADATA / PKG-INFO file (RFC 822 headers) that Packyard uses.</summary>
internal sealed record CoreMetadata(string Name, string Version, string? RequiresPython, string? Summary)
{
    /// <summary>Largest METADATA / PKG-INFO read from an archive.</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>Parses the header block (up to the first empty line); null with a reason when Name or Version is missing.</summary>
    public static CoreMetadata? TryParse(string text, out string? error)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                break;
            }

            if (line[0] is ' ' or '\t')
            {
                if (last is not null)
                {
                    headers[last] += " " + line.Trim();
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            last = line[..colon].Trim();
            headers.TryAdd(last, line[(colon + 1)..].Trim());
        }

        if (!headers.TryGetValue("Name", out var name) || name.Length == 0 || !headers.TryGetValue("Version", out var version) || version.Length == 0)
        {
            error = "it has no Name or no Version field";
            return null;
        }

        error = null;
        return new CoreMetadata(name, version, headers.GetValueOrDefault("Requires-Python") is { Length: > 0 } requires ? requires : null,
            headers.GetValueOrDefault("Summary") is { Length: > 0 } summary ? summary : null);
    }

    /// <summary>Reads at most <see cref="MaxBytes"/> from <paramref name="stream"/> as UTF-8; null when it is longer.</summary>
    public static async Task<string?> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return total > MaxBytes ? null : Encoding.UTF8.GetString(buffer, 0, total);
    }
}
