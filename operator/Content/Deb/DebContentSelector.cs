using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>
/// Promotion selectors for deb: <c>name</c>, or <c>name (op version)</c> / <c>name op version</c> with dpkg's relations
/// <c>&lt;&lt; &lt;= = &gt;= &gt;&gt;</c>, versions compared as dpkg does.
/// </summary>
internal sealed class DebContentSelector : IContentSelector
{
    private static readonly string[] Operators = ["<<", "<=", ">=", ">>", "="];

    public bool Matches(string selector, string name, string? version)
    {
        var text = selector.Replace("(", " ", StringComparison.Ordinal).Replace(")", " ", StringComparison.Ordinal).Trim();
        foreach (var op in Operators)
        {
            var at = text.IndexOf(op, StringComparison.Ordinal);
            if (at <= 0)
            {
                continue;
            }

            var package = text[..at].Trim();
            var wanted = DebianVersion.TryParse(text[(at + op.Length)..].Trim(), out _);
            var actual = version is null ? null : DebianVersion.TryParse(version, out _);
            if (!string.Equals(package, name, StringComparison.Ordinal) || wanted is null || actual is null)
            {
                return false;
            }

            var order = actual.CompareTo(wanted);
            return op switch
            {
                "<<" => order < 0,
                "<=" => order <= 0,
                ">=" => order >= 0,
                ">>" => order > 0,
                _ => order == 0,
            };
        }

        return string.Equals(text, name, StringComparison.Ordinal);
    }
}
