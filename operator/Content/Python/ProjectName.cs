using System.Text;

namespace Packyard.Content.Python;

/// <summary>PEP 503 project names: normalisation and validity.</summary>
public static class ProjectName
{
    /// <summary>
    /// PEP 503 normalisation, <c>re.sub(r"[-_.]+", "-", name).lower()</c>: lower-cases and collapses each run of '-',
    /// '_' and '.' into one '-', leading and trailing runs included (they are kept, not stripped: "-foo" and "foo" are
    /// different names, and only <see cref="IsValid"/> decides that "-foo" is not a valid one).
    /// </summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsNormalized(name))
        {
            return name; // the common case when serving: pip asks for normalised names
        }

        var builder = new StringBuilder(name.Length);
        var separator = false;
        foreach (var c in name)
        {
            if (c is '-' or '_' or '.')
            {
                if (!separator)
                {
                    builder.Append('-');
                }

                separator = true;
                continue;
            }

            separator = false;
            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>True when <see cref="Normalize"/> would return the name unchanged.</summary>
    internal static bool IsNormalized(ReadOnlySpan<char> name)
    {
        var previous = 'a';
        foreach (var c in name)
        {
            if (c is '_' or '.' || (c == '-' && previous == '-') || char.ToLowerInvariant(c) != c)
            {
                return false;
            }

            previous = c;
        }

        return true;
    }

    /// <summary>True for a valid PEP 508 name: ASCII letters and digits, with '.', '_', '-' only between them.</summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > 200 || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
