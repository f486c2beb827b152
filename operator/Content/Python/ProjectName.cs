using System.Text;

namespace Packyard.Content.Python;

/// <summary>PEP 503 project names: normalisation and validity.</summary>
public static class ProjectName
{
    /// <summary>Lower-cases and collapses runs of '-', '_' and '.' into one '-' (PEP 503).</summary>
    public static string Normalize(string name)
    {
        var builder = new StringBuilder(name.Length);
        var separator = false;
        foreach (var c in name)
        {
            if (c is '-' or '_' or '.')
            {
                separator = true;
                continue;
            }

            if (separator && builder.Length > 0)
            {
                builder.Append('-');
            }

            separator = false;
            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>True for a valid PEP 508 name: ASCII letters and digits, with '.', '_', '-' only between them.</summary>
    public static bool IsValid(string name)
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
