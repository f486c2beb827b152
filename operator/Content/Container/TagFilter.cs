using System.Text;
using System.Text.RegularExpressions;

namespace Packyard.Content.Container;

/// <summary>
/// The Remote's <c>includeTags</c> and <c>excludeTags</c>: globs where <c>*</c> matches any run of characters and <c>?</c> one
/// character, matched against the whole tag, case-sensitively. No includes selects every tag; excludes win over includes.
/// </summary>
internal sealed class TagFilter
{
    private readonly Regex? include;
    private readonly Regex? exclude;

    public TagFilter(IReadOnlyCollection<string>? includes, IReadOnlyCollection<string>? excludes)
    {
        include = Compile(includes);
        exclude = Compile(excludes);
    }

    public bool Matches(string tag) => (include is null || include.IsMatch(tag)) && (exclude is null || !exclude.IsMatch(tag));

    /// <summary>One glob as a regular expression anchored at both ends.</summary>
    public static string GlobPattern(string glob)
    {
        var pattern = new StringBuilder("^");
        foreach (var c in glob)
        {
            pattern.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }

        return pattern.Append('$').ToString();
    }

    private static Regex? Compile(IReadOnlyCollection<string>? globs) =>
        globs is null || globs.Count == 0 ? null
            : new Regex(string.Join('|', globs.Select(g => "(?:" + GlobPattern(g) + ")")), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
