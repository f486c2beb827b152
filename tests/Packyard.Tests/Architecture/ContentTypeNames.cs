using System.Text.RegularExpressions;
using Packyard.Api.Resources;

namespace Packyard.Tests.Architecture;

/// <summary>
/// Finds the places in operator/ outside <c>operator/Content/&lt;Type&gt;/</c> that name a content type: a type declared in a
/// content type's folder (<c>DebPublisher</c>, <c>Add…Content</c>), an API type block (<c>DebRemoteOptions</c>, <c>spec.Deb</c>),
/// <c>ContentType.Deb</c>, the <c>Packyard.Content.Deb</c> namespace, a type name as a string literal (<c>"deb"</c>; not
/// <c>"file"</c>, which is also a URL scheme) or a package file extension (<c>".rpm"</c>). Comment lines do not count.
/// </summary>
internal static partial class ContentTypeNames
{
    /// <summary>A line that names a content type: <paramref name="File"/> relative to operator/, 1-based line, the text and what matched.</summary>
    public sealed record Hit(string File, int Line, string Text, string Match)
    {
        public override string ToString() => $"operator/{File}:{Line}: {Text.Trim()}   [{Match}]";
    }

    [GeneratedRegex(@"\b(?:class|record|struct|enum|interface)\s+([A-Z]\w*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^\s*(//|/\*|\*)")]
    private static partial Regex CommentLine();

    /// <summary>The type names: Packyard.Api's ContentType members (File, Python, Deb, Rpm, Container).</summary>
    public static IReadOnlyList<string> TypeNames { get; } = Enum.GetNames<ContentType>();

    /// <summary>A pattern matching every way operator/ can name a content type, given its content folders.</summary>
    public static Regex Pattern(string operatorFolder)
    {
        var identifiers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var folder in Directory.GetDirectories(Path.Combine(operatorFolder, "Content")))
        {
            foreach (var file in SourceFiles(folder))
            {
                foreach (Match match in Declaration().Matches(File.ReadAllText(file)))
                {
                    identifiers.Add(match.Groups[1].Value);
                }
            }
        }

        // A name also declared outside the content folders (a context's PublishedFile, say) is not the content type's own.
        var content = Path.Combine(operatorFolder, "Content") + Path.DirectorySeparatorChar;
        foreach (var file in SourceFiles(operatorFolder).Where(f => !f.StartsWith(content, StringComparison.Ordinal)))
        {
            foreach (Match match in Declaration().Matches(File.ReadAllText(file)))
            {
                identifiers.Remove(match.Groups[1].Value);
            }
        }

        foreach (var type in typeof(ContentType).Assembly.GetTypes().Where(t => t.IsPublic && t != typeof(ContentType)))
        {
            if (TypeNames.Any(name => type.Name.StartsWith(name, StringComparison.Ordinal) && type.Name.Length > name.Length && char.IsUpper(type.Name[name.Length])))
            {
                identifiers.Add(type.Name);
            }
        }

        foreach (var name in TypeNames)
        {
            identifiers.Add($"Add{name}Content");
        }

        var literals = TypeNames.Where(name => name != "File").Select(name => Regex.Escape($"\"{name.ToLowerInvariant()}\""));
        string[] alternatives =
        [
            $@"\b(?:{string.Join('|', identifiers.Select(Regex.Escape))})\b",
            $@"\bContentType\.(?:{string.Join('|', TypeNames)})\b",
            // A type block read off a spec (spec.Deb?.SigningKeySecretRef); .File only after spec/publish, as File.* is System.IO.
            $@"\.(?:{string.Join('|', TypeNames.Where(name => name != "File"))})\b",
            @"\b(?:[Ss]pec|[Pp]ublish)\??\.File\b",
            @"\bPackyard\.Content\.\w+",
            $"(?:{string.Join('|', literals)})",
            "\"\\.(?:deb|udeb|rpm|whl|dsc)\"",
        ];
        return new Regex(string.Join('|', alternatives), RegexOptions.CultureInvariant);
    }

    /// <summary>Every line of a .cs file under <paramref name="operatorFolder"/> (outside the content folders) that names a content type.</summary>
    public static List<Hit> Scan(string operatorFolder)
    {
        var pattern = Pattern(operatorFolder);
        var content = Path.Combine(operatorFolder, "Content") + Path.DirectorySeparatorChar;
        var hits = new List<Hit>();
        foreach (var file in SourceFiles(operatorFolder).Where(f => !f.StartsWith(content, StringComparison.Ordinal)))
        {
            hits.AddRange(ScanText(Path.GetRelativePath(operatorFolder, file).Replace('\\', '/'), File.ReadAllLines(file), pattern));
        }

        return hits;
    }

    public static IEnumerable<Hit> ScanText(string file, IReadOnlyList<string> lines, Regex pattern)
    {
        for (var n = 0; n < lines.Count; n++)
        {
            if (CommentLine().IsMatch(lines[n]))
            {
                continue;
            }

            var code = lines[n].Split(" // ")[0];
            if (pattern.Match(code) is { Success: true } match)
            {
                yield return new Hit(file, n + 1, lines[n], match.Value);
            }
        }
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
