using System.Globalization;
using System.Text.RegularExpressions;

namespace Packyard.Verbs;

/// <summary>
/// Sets <c>spec.sourceVersion</c> of the Promotion whose document starts at a line of a manifest file, editing only that line
/// (or adding one): comments, order, quoting and the other documents stay as they were.
/// </summary>
internal static partial class ManifestPin
{
    /// <summary>Writes the pin into <paramref name="file"/>; the document is the one starting at <paramref name="line"/> (1-based).</summary>
    public static void Write(string file, int line, string name, long version)
    {
        var text = File.ReadAllText(file);
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = text.Split(newline).ToList();
        var (start, end) = Document(lines, line - 1, name);
        var value = version.ToString(CultureInfo.InvariantCulture);
        int? specLine = null;
        for (var i = start; i < end; i++)
        {
            if (SpecLine().Match(lines[i]) is { Success: true } spec)
            {
                specLine = i;
                var rest = spec.Groups["rest"].Value;
                if (rest.TrimStart().StartsWith('{'))
                {
                    // spec: {sourceRef: …, sourceVersion: 3, …} on one line.
                    lines[i] = FlowPin().IsMatch(rest)
                        ? lines[i][..spec.Groups["rest"].Index] + FlowPin().Replace(rest, m => m.Groups[1].Value + value, 1)
                        : lines[i][..spec.Groups["rest"].Index] + Regex.Replace(rest, @"\{\s*", m => "{sourceVersion: " + value + (rest.TrimEnd().EndsWith("{}", StringComparison.Ordinal) ? "" : ", "), RegexOptions.None, TimeSpan.FromSeconds(1));
                    File.WriteAllText(file, string.Join(newline, lines));
                    return;
                }

                break;
            }
        }

        if (specLine is not { } at)
        {
            throw new VerbException($"{file}:{line}: Promotion {name} has no spec block to pin");
        }

        var indent = "  ";
        for (var i = at + 1; i < end; i++)
        {
            if (lines[i].Trim().Length == 0 || lines[i].TrimStart().StartsWith('#'))
            {
                continue;
            }

            var leading = lines[i].Length - lines[i].TrimStart().Length;
            if (leading == 0)
            {
                break;
            }

            if (BlockPin().Match(lines[i]) is { Success: true } pin && leading == pin.Groups[1].Length)
            {
                lines[i] = pin.Groups[1].Value + "sourceVersion: " + value + pin.Groups["comment"].Value;
                File.WriteAllText(file, string.Join(newline, lines));
                return;
            }

            indent = lines[i][..leading];
            break;
        }

        // Not pinned yet: the line goes first in the spec block, indented as its first field.
        for (var i = at + 1; i < end && (lines[i].Trim().Length == 0 || char.IsWhiteSpace(lines[i][0]) || lines[i].StartsWith('#')); i++)
        {
            if (BlockPin().Match(lines[i]) is { Success: true } pin && pin.Groups[1].Value == indent)
            {
                lines[i] = indent + "sourceVersion: " + value + pin.Groups["comment"].Value;
                File.WriteAllText(file, string.Join(newline, lines));
                return;
            }
        }

        lines.Insert(at + 1, indent + "sourceVersion: " + value);
        File.WriteAllText(file, string.Join(newline, lines));
    }

    /// <summary>The lines [start, end) of the document starting at (or containing) line index <paramref name="first"/>.</summary>
    private static (int Start, int End) Document(List<string> lines, int first, string name)
    {
        if (first < 0 || first >= lines.Count)
        {
            throw new VerbException($"the manifest of Promotion {name} changed since Packyard read it; try again");
        }

        var start = first;
        while (start > 0 && !lines[start - 1].StartsWith("---", StringComparison.Ordinal))
        {
            start--;
        }

        var end = first + 1;
        while (end < lines.Count && !lines[end].StartsWith("---", StringComparison.Ordinal))
        {
            end++;
        }

        return (start, end);
    }

    [GeneratedRegex(@"^spec:(?<rest>.*)$")]
    private static partial Regex SpecLine();

    [GeneratedRegex(@"^(\s+)sourceVersion:[^#]*(?<comment>\s#.*)?$")]
    private static partial Regex BlockPin();

    [GeneratedRegex(@"(sourceVersion:\s*)[^,}\s]+")]
    private static partial Regex FlowPin();
}
