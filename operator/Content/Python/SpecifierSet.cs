namespace Packyard.Content.Python;

/// <summary>A comma-separated set of PEP 440 specifiers (all must hold); empty matches every version.</summary>
public sealed class SpecifierSet
{
    private SpecifierSet(IReadOnlyList<VersionSpecifier> clauses) => Clauses = clauses;

    public static SpecifierSet Any { get; } = new([]);

    public IReadOnlyList<VersionSpecifier> Clauses { get; }

    /// <summary>A specifier that names a pre-release lets pre-releases match (PEP 440, "Handling of pre-releases").</summary>
    public bool MentionsPrerelease => Clauses.Any(c => c.MentionsPrerelease);

    public static bool TryParse(string text, out SpecifierSet set, out string? error)
    {
        set = Any;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var clauses = new List<VersionSpecifier>();
        foreach (var part in text.Split(','))
        {
            if (!VersionSpecifier.TryParse(part, out var clause, out error))
            {
                return false;
            }

            clauses.Add(clause);
        }

        set = new SpecifierSet(clauses);
        return true;
    }

    public static SpecifierSet Parse(string text) =>
        TryParse(text, out var set, out var error) ? set : throw new FormatException(error);

    /// <summary>
    /// Whether <paramref name="version"/> satisfies every clause. Pre-releases match only when
    /// <paramref name="prereleases"/> is true or a clause names a pre-release.
    /// </summary>
    public bool Contains(PythonVersion version, bool prereleases = false)
    {
        if (version.IsPrerelease && !prereleases && !MentionsPrerelease)
        {
            return false;
        }

        foreach (var clause in Clauses)
        {
            if (!clause.Contains(version))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => string.Join(',', Clauses);
}
