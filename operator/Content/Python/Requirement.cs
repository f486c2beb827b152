namespace Packyard.Content.Python;

/// <summary>
/// A PEP 508 requirement as used in <c>includes</c>/<c>excludes</c> and promotion selectors: a project name, optional
/// extras (ignored) and version specifiers, optionally in parentheses. Environment markers (after ';') are refused:
/// a mirror holds files for every environment.
/// </summary>
public sealed record Requirement(string Name, SpecifierSet Specifiers)
{
    public static bool TryParse(string text, out Requirement requirement, out string? error)
    {
        requirement = null!;
        var value = text.Trim();
        if (value.Contains(';', StringComparison.Ordinal) || value.Contains('@', StringComparison.Ordinal))
        {
            error = $"'{text}': environment markers and URL requirements are not supported here; use a name and version specifiers";
            return false;
        }

        var end = 0;
        while (end < value.Length && (char.IsAsciiLetterOrDigit(value[end]) || value[end] is '.' or '_' or '-'))
        {
            end++;
        }

        var name = value[..end];
        if (!ProjectName.IsValid(name))
        {
            error = $"'{text}' does not start with a valid project name";
            return false;
        }

        var rest = value[end..].Trim();
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}': unterminated extras";
                return false;
            }

            rest = rest[(close + 1)..].Trim();
        }

        if (rest.StartsWith('(') && rest.EndsWith(')'))
        {
            rest = rest[1..^1];
        }

        if (!SpecifierSet.TryParse(rest, out var specifiers, out error))
        {
            error = $"'{text}': {error}";
            return false;
        }

        requirement = new Requirement(ProjectName.Normalize(name), specifiers);
        return true;
    }

    public static Requirement Parse(string text) =>
        TryParse(text, out var requirement, out var error) ? requirement : throw new FormatException(error);
}
