using Packyard.Plugins;

namespace Packyard.Content.Rpm;

/// <summary>
/// Promotion selectors for rpm: <c>name</c>, or <c>name op [epoch:]version[-release]</c> with rpm's relations
/// <c>&lt; &lt;= = == &gt;= &gt;</c>, versions compared as rpm does (a constraint without release matches every release).
/// </summary>
internal sealed class RpmContentSelector : IContentSelector
{
    private static readonly string[] Operators = ["<=", ">=", "==", "<", ">", "="];

    public bool Matches(string selector, string name, string? version)
    {
        var text = selector.Trim();
        foreach (var op in Operators)
        {
            var at = text.IndexOf(op, StringComparison.Ordinal);
            if (at <= 0)
            {
                continue;
            }

            var package = text[..at].Trim();
            var wanted = text[(at + op.Length)..].Trim();
            if (!string.Equals(package, name, StringComparison.Ordinal) || version is null || wanted.Length == 0)
            {
                return false;
            }

            var order = RpmVersion.Parse(version).CompareToConstraint(RpmVersion.Parse(wanted));
            return op switch
            {
                "<" => order < 0,
                "<=" => order <= 0,
                ">=" => order >= 0,
                ">" => order > 0,
                _ => order == 0,
            };
        }

        return string.Equals(text, name, StringComparison.Ordinal);
    }
}
