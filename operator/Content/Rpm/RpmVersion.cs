namespace Packyard.Content.Rpm;

/// <summary>
/// An RPM epoch:version-release, ordered exactly as rpm orders them (<c>rpm.vercmp</c>): the epoch (missing is 0),
/// then the version, then the release (a missing release sorts before any present one), each part compared with
/// <see cref="CompareSegments"/>.
/// </summary>
internal sealed record RpmVersion(string? Epoch, string Version, string? Release) : IComparable<RpmVersion>
{
    /// <summary>Parses <c>[epoch:]version[-release]</c> as rpm does: the epoch is leading digits before ':', the release follows the last '-'.</summary>
    public static RpmVersion Parse(string evr)
    {
        ArgumentNullException.ThrowIfNull(evr);
        var digits = 0;
        while (digits < evr.Length && char.IsAsciiDigit(evr[digits]))
        {
            digits++;
        }

        var dash = evr.LastIndexOf('-');
        if (dash < digits)
        {
            dash = -1;
        }

        string? epoch = null;
        var versionStart = 0;
        if (digits < evr.Length && evr[digits] == ':')
        {
            epoch = digits == 0 ? "0" : evr[..digits];
            versionStart = digits + 1;
        }

        return dash < 0
            ? new RpmVersion(epoch, evr[versionStart..], null)
            : new RpmVersion(epoch, evr[versionStart..dash], evr[(dash + 1)..]);
    }

    public int CompareTo(RpmVersion? other) => Compare(other, releaseOptional: false);

    /// <summary>Orders as a dependency range does: when <paramref name="other"/> has no release, every release matches it.</summary>
    public int CompareToConstraint(RpmVersion other) => Compare(other, releaseOptional: true);

    private int Compare(RpmVersion? other, bool releaseOptional)
    {
        if (other is null)
        {
            return 1;
        }

        var order = CompareSegments(Epoch ?? "0", other.Epoch ?? "0");
        if (order == 0)
        {
            order = CompareSegments(Version, other.Version);
        }

        if (order == 0 && !(releaseOptional && other.Release is null))
        {
            order = (Release, other.Release) switch
            {
                (null, null) => 0,
                (null, _) => -1,
                (_, null) => 1,
                _ => CompareSegments(Release, other.Release),
            };
        }

        return order;
    }

    /// <summary>Compares two version strings as rpm's <c>rpmvercmp</c>: -1, 0 or 1.</summary>
    public static int CompareSegments(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 0;
        }

        int one = 0, two = 0;
        while (one < a.Length || two < b.Length)
        {
            while (one < a.Length && !IsSegmentStart(a[one]))
            {
                one++;
            }

            while (two < b.Length && !IsSegmentStart(b[two]))
            {
                two++;
            }

            // '~' sorts before everything, even the end of the string.
            var tildeA = one < a.Length && a[one] == '~';
            var tildeB = two < b.Length && b[two] == '~';
            if (tildeA || tildeB)
            {
                if (!tildeA)
                {
                    return 1;
                }

                if (!tildeB)
                {
                    return -1;
                }

                one++;
                two++;
                continue;
            }

            // '^' sorts after the end of the string but before anything else.
            var caretA = one < a.Length && a[one] == '^';
            var caretB = two < b.Length && b[two] == '^';
            if (caretA || caretB)
            {
                if (one >= a.Length)
                {
                    return -1;
                }

                if (two >= b.Length)
                {
                    return 1;
                }

                if (!caretA)
                {
                    return 1;
                }

                if (!caretB)
                {
                    return -1;
                }

                one++;
                two++;
                continue;
            }

            if (one >= a.Length || two >= b.Length)
            {
                break;
            }

            int end1 = one, end2 = two;
            var numeric = char.IsAsciiDigit(a[one]);
            if (numeric)
            {
                while (end1 < a.Length && char.IsAsciiDigit(a[end1]))
                {
                    end1++;
                }

                while (end2 < b.Length && char.IsAsciiDigit(b[end2]))
                {
                    end2++;
                }
            }
            else
            {
                while (end1 < a.Length && char.IsAsciiLetter(a[end1]))
                {
                    end1++;
                }

                while (end2 < b.Length && char.IsAsciiLetter(b[end2]))
                {
                    end2++;
                }
            }

            if (end2 == two)
            {
                // Segments of different kinds: a number is newer than letters.
                return numeric ? 1 : -1;
            }

            var segmentA = a.AsSpan(one, end1 - one);
            var segmentB = b.AsSpan(two, end2 - two);
            if (numeric)
            {
                segmentA = segmentA.TrimStart('0');
                segmentB = segmentB.TrimStart('0');
                if (segmentA.Length != segmentB.Length)
                {
                    return segmentA.Length > segmentB.Length ? 1 : -1;
                }
            }

            var order = segmentA.SequenceCompareTo(segmentB);
            if (order != 0)
            {
                return order < 0 ? -1 : 1;
            }

            one = end1;
            two = end2;
        }

        if (one >= a.Length && two >= b.Length)
        {
            return 0;
        }

        return one >= a.Length ? -1 : 1;
    }

    private static bool IsSegmentStart(char c) => char.IsAsciiLetterOrDigit(c) || c is '~' or '^';

    public override string ToString() =>
        (Epoch is null ? "" : Epoch + ":") + Version + (Release is null ? "" : "-" + Release);
}
