using System.Globalization;
using System.Text;

namespace Packyard.Content.File;

/// <summary>One PULP_MANIFEST line: CSV <c>relative_path,sha256,size</c> (a path with commas or quotes is double-quoted).</summary>
internal sealed record ManifestLine(string RelativePath, string Sha256, long Size)
{
    /// <summary>Parses a line, or returns the reason it is malformed.</summary>
    public static ManifestLine? TryParse(string line, out string? error)
    {
        var fields = SplitCsv(line, out error);
        if (fields is null)
        {
            return null;
        }

        if (fields.Count != 3)
        {
            error = $"expected 3 comma-separated fields (relative_path,sha256,size), found {fields.Count}";
            return null;
        }

        if (!long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            error = $"size '{fields[2]}' is not a non-negative integer";
            return null;
        }

        error = null;
        return new ManifestLine(fields[0], fields[1].ToLowerInvariant(), size);
    }

    public string Format()
    {
        var path = RelativePath.IndexOfAny([',', '"']) >= 0 ? $"\"{RelativePath.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : RelativePath;
        return string.Create(CultureInfo.InvariantCulture, $"{path},{Sha256},{Size}");
    }

    private static List<string>? SplitCsv(string line, out string? error)
    {
        var fields = new List<string>(3);
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        error = "unterminated quoted field";
                        return null;
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }

                if (i < line.Length && line[i] != ',')
                {
                    error = "unexpected character after a quoted field";
                    return null;
                }
            }
            else
            {
                var comma = line.IndexOf(',', i);
                var end = comma < 0 ? line.Length : comma;
                field.Append(line, i, end - i);
                i = end;
            }

            fields.Add(field.ToString());
            if (i >= line.Length)
            {
                error = null;
                return fields;
            }

            i++; // the comma
        }
    }
}
