namespace Packyard.Content.Deb;

/// <summary>
/// A Debian package version <c>[epoch:]upstream[-revision]</c>, ordered exactly as dpkg orders it
/// (<c>lib/dpkg/version.c</c>): epochs numerically, then upstream and revision with <c>~</c> before everything
/// (even the end of the string), letters before other characters, and digit runs compared as numbers.
/// </summary>
public sealed class DebianVersion : IComparable<DebianVersion>, IEquatable<DebianVersion>
{
    private DebianVersion(long epoch, string upstream, string revision, string text)
    {
        Epoch = epoch;
        Upstream = upstream;
        Revision = revision;
        Text = text;
    }

    public long Epoch { get; }

    public string Upstream { get; }

    /// <summary>The Debian revision, or "" when the version has none.</summary>
    public string Revision { get; }

    /// <summary>The version as written.</summary>
    public string Text { get; }

    /// <summary>The version without its epoch, as it appears in .deb file names.</summary>
    public string WithoutEpoch => Revision.Length == 0 ? Upstream : $"{Upstream}-{Revision}";

    /// <summary>Parses a version, or returns null with the reason when dpkg would refuse it.</summary>
    public static DebianVersion? TryParse(string text, out string? error)
    {
        var value = text.Trim();
        if (value.Length == 0)
        {
            error = "version is empty";
            return null;
        }

        long epoch = 0;
        var rest = value;
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            var epochText = value[..colon];
            if (epochText.Length == 0 || epochText.Length > 9 || !epochText.All(char.IsAsciiDigit))
            {
                error = $"epoch '{epochText}' is not a number";
                return null;
            }

            epoch = long.Parse(epochText, System.Globalization.CultureInfo.InvariantCulture);
            rest = value[(colon + 1)..];
        }

        var hyphen = rest.LastIndexOf('-');
        var upstream = hyphen >= 0 ? rest[..hyphen] : rest;
        var revision = hyphen >= 0 ? rest[(hyphen + 1)..] : "";
        if (upstream.Length == 0)
        {
            error = "upstream version is empty";
            return null;
        }

        if (hyphen >= 0 && revision.Length == 0)
        {
            error = "revision after '-' is empty";
            return null;
        }

        foreach (var c in upstream)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-' or '~' or ':'))
            {
                error = $"invalid character '{c}' in upstream version";
                return null;
            }
        }

        foreach (var c in revision)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '~'))
            {
                error = $"invalid character '{c}' in revision";
                return null;
            }
        }

        error = null;
        return new DebianVersion(epoch, upstream, revision, value);
    }

    public static DebianVersion Parse(string text) =>
        TryParse(text, out var error) ?? throw new FormatException($"'{text}' is not a Debian version: {error}");

    /// <summary>Compares two version strings as <c>dpkg --compare-versions</c> does.</summary>
    public static int Compare(string left, string right) => Parse(left).CompareTo(Parse(right));

    public int CompareTo(DebianVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byEpoch = Epoch.CompareTo(other.Epoch);
        if (byEpoch != 0)
        {
            return byEpoch;
        }

        var byUpstream = CompareFragment(Upstream, other.Upstream);
        return byUpstream != 0 ? byUpstream : CompareFragment(Revision, other.Revision);
    }

    public bool Equals(DebianVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is DebianVersion other && Equals(other);

    /// <summary>Equal versions ("1.0" and "0:1.00") share a hash: digit runs hash by value.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Epoch);
        AddNormalized(ref hash, Upstream);
        AddNormalized(ref hash, Revision);
        return hash.ToHashCode();
    }

    public override string ToString() => Text;

    public static bool operator <(DebianVersion left, DebianVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(DebianVersion left, DebianVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(DebianVersion left, DebianVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(DebianVersion left, DebianVersion right) => left.CompareTo(right) >= 0;

    public static bool operator ==(DebianVersion? left, DebianVersion? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(DebianVersion? left, DebianVersion? right) => !(left == right);

    /// <summary>dpkg's <c>verrevcmp</c>.</summary>
    internal static int CompareFragment(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var firstDiff = 0;
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ac = Order(i < a.Length ? a[i] : '\0');
                var bc = Order(j < b.Length ? b[j] : '\0');
                if (ac != bc)
                {
                    return ac < bc ? -1 : 1;
                }

                i++;
                j++;
            }

            while (i < a.Length && a[i] == '0')
            {
                i++;
            }

            while (j < b.Length && b[j] == '0')
            {
                j++;
            }

            while (i < a.Length && j < b.Length && char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                if (firstDiff == 0)
                {
                    firstDiff = a[i] - b[j];
                }

                i++;
                j++;
            }

            if (i < a.Length && char.IsAsciiDigit(a[i]))
            {
                return 1;
            }

            if (j < b.Length && char.IsAsciiDigit(b[j]))
            {
                return -1;
            }

            if (firstDiff != 0)
            {
                return firstDiff < 0 ? -1 : 1;
            }
        }

        return 0;
    }

    private static int Order(char c) => c switch
    {
        '\0' => 0,
        _ when char.IsAsciiDigit(c) => 0,
        _ when char.IsAsciiLetter(c) => c,
        '~' => -1,
        _ => c + 256,
    };

    private static void AddNormalized(ref HashCode hash, string fragment)
    {
        var i = 0;
        while (i < fragment.Length)
        {
            if (char.IsAsciiDigit(fragment[i]))
            {
                while (i < fragment.Length && fragment[i] == '0')
                {
                    i++;
                }

                var significant = false;
                while (i < fragment.Length && char.IsAsciiDigit(fragment[i]))
                {
                    hash.Add(fragment[i++]);
                    significant = true;
                }

                if (significant)
                {
                    hash.Add('#');
                }
            }
            else
            {
                hash.Add(fragment[i++]);
            }
        }
    }
}
