using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Packyard.Content.Python;

/// <summary>
/// A PEP 440 version: epoch, release, pre-release (a, b, rc), post-release, dev-release and local label, parsed with
/// the PEP's permissive spellings (<c>1.0RC1</c>, <c>1.0-1</c>, <c>v1.0</c>, <c>1.0.post.1</c>) and ordered as PEP 440 says.
/// </summary>
public sealed partial class PythonVersion : IComparable<PythonVersion>, IEquatable<PythonVersion>
{
    // The regular expression of PEP 440's appendix B (packaging.version.VERSION_PATTERN).
    [GeneratedRegex("""
        ^\s*v?
        (?:(?<epoch>[0-9]+)!)?
        (?<release>[0-9]+(?:\.[0-9]+)*)
        (?<pre>[-_\.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?<pre_n>[0-9]+)?)?
        (?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_\.]?(?<post_l>post|rev|r)[-_\.]?(?<post_n2>[0-9]+)?))?
        (?<dev>[-_\.]?(?<dev_l>dev)[-_\.]?(?<dev_n>[0-9]+)?)?
        (?:\+(?<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?
        \s*$
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private PythonVersion(BigInteger epoch, BigInteger[] release, string? preLabel, BigInteger preNumber, BigInteger? post, BigInteger? dev, string[]? local)
    {
        Epoch = epoch;
        Release = release;
        PreLabel = preLabel;
        PreNumber = preNumber;
        Post = post;
        Dev = dev;
        Local = local;
        Normalized = Format(includeLocal: true);
    }

    public BigInteger Epoch { get; }

    public IReadOnlyList<BigInteger> Release { get; }

    /// <summary>"a", "b" or "rc", or null for no pre-release.</summary>
    public string? PreLabel { get; }

    public BigInteger PreNumber { get; }

    public BigInteger? Post { get; }

    public BigInteger? Dev { get; }

    /// <summary>The local label's segments, lower-case, or null.</summary>
    public IReadOnlyList<string>? Local { get; }

    /// <summary>The canonical spelling (<c>1.0rc1</c>, <c>1!2.0.post1.dev3+ubuntu.1</c>).</summary>
    public string Normalized { get; }

    /// <summary>A pre-release or development release (PEP 440 treats both as pre-releases).</summary>
    public bool IsPrerelease => PreLabel is not null || Dev is not null;

    public bool IsPostRelease => Post is not null;

    /// <summary>The version without its local label.</summary>
    public PythonVersion Public => Local is null ? this : new PythonVersion(Epoch, (BigInteger[])Release, PreLabel, PreNumber, Post, Dev, null);

    /// <summary>Epoch and release only (<c>1!2.0</c> of <c>1!2.0rc1.post2</c>).</summary>
    public PythonVersion BaseVersion => new(Epoch, (BigInteger[])Release, null, 0, null, null, null);

    public static bool TryParse(string? text, out PythonVersion version)
    {
        version = null!;
        if (text is null || text.Length > 256)
        {
            return false;
        }

        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var epoch = match.Groups["epoch"].Success ? Number(match.Groups["epoch"].Value) : BigInteger.Zero;
        var release = match.Groups["release"].Value.Split('.').Select(Number).ToArray();
        string? preLabel = null;
        var preNumber = BigInteger.Zero;
        if (match.Groups["pre"].Success)
        {
            preLabel = match.Groups["pre_l"].Value.ToLowerInvariant() switch
            {
                "alpha" or "a" => "a",
                "beta" or "b" => "b",
                _ => "rc",
            };
            preNumber = match.Groups["pre_n"].Success ? Number(match.Groups["pre_n"].Value) : 0;
        }

        BigInteger? post = null;
        if (match.Groups["post"].Success)
        {
            post = match.Groups["post_n1"].Success ? Number(match.Groups["post_n1"].Value)
                : match.Groups["post_n2"].Success ? Number(match.Groups["post_n2"].Value) : 0;
        }

        BigInteger? dev = match.Groups["dev"].Success ? (match.Groups["dev_n"].Success ? Number(match.Groups["dev_n"].Value) : 0) : null;
        var local = match.Groups["local"].Success
            ? match.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.').Select(s => IsDigits(s) ? Number(s).ToString(CultureInfo.InvariantCulture) : s).ToArray()
            : null;
        version = new PythonVersion(epoch, release, preLabel, preNumber, post, dev, local);
        return true;
    }

    public static PythonVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a valid PEP 440 version");

    public int CompareTo(PythonVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var result = Epoch.CompareTo(other.Epoch);
        if (result != 0)
        {
            return result;
        }

        result = CompareRelease(Release, other.Release);
        if (result != 0)
        {
            return result;
        }

        result = PreKey().CompareTo(other.PreKey());
        if (result != 0)
        {
            return result;
        }

        result = (Post ?? BigInteger.MinusOne).CompareTo(other.Post ?? BigInteger.MinusOne);
        if (result != 0)
        {
            return result;
        }

        // No dev segment sorts after any dev segment.
        result = (Dev is null, other.Dev is null) switch
        {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => -1,
            _ => Dev!.Value.CompareTo(other.Dev!.Value),
        };
        return result != 0 ? result : CompareLocal(Local, other.Local);
    }

    public bool Equals(PythonVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is PythonVersion other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Epoch);
        var length = Release.Count;
        while (length > 1 && Release[length - 1].IsZero)
        {
            length--;
        }

        for (var i = 0; i < length; i++)
        {
            hash.Add(Release[i]);
        }

        hash.Add(PreLabel);
        hash.Add(PreNumber);
        hash.Add(Post);
        hash.Add(Dev);
        hash.Add(Local is null ? null : string.Join('.', Local));
        return hash.ToHashCode();
    }

    public override string ToString() => Normalized;

    public static bool operator <(PythonVersion left, PythonVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(PythonVersion left, PythonVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(PythonVersion left, PythonVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PythonVersion left, PythonVersion right) => left.CompareTo(right) >= 0;

    public static bool operator ==(PythonVersion? left, PythonVersion? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(PythonVersion? left, PythonVersion? right) => !(left == right);

    /// <summary>
    /// Orders the pre-release part: a dev release of a final version (1.0.dev0) sorts before every pre-release,
    /// a version without pre-release after all of them; a &lt; b &lt; rc.
    /// </summary>
    private (int Rank, BigInteger Number) PreKey() =>
        PreLabel switch
        {
            null when Post is null && Dev is not null => (0, 0),
            null => (4, 0),
            "a" => (1, PreNumber),
            "b" => (2, PreNumber),
            _ => (3, PreNumber),
        };

    private static int CompareRelease(IReadOnlyList<BigInteger> left, IReadOnlyList<BigInteger> right)
    {
        var length = Math.Max(left.Count, right.Count);
        for (var i = 0; i < length; i++)
        {
            var result = (i < left.Count ? left[i] : 0).CompareTo(i < right.Count ? right[i] : 0);
            if (result != 0)
            {
                return result;
            }
        }

        return 0;
    }

    private static int CompareLocal(IReadOnlyList<string>? left, IReadOnlyList<string>? right)
    {
        if (left is null || right is null)
        {
            return (left is null, right is null) switch { (true, true) => 0, (true, false) => -1, _ => 1 };
        }

        for (var i = 0; i < Math.Min(left.Count, right.Count); i++)
        {
            var leftNumeric = IsDigits(left[i]);
            var rightNumeric = IsDigits(right[i]);
            var result = (leftNumeric, rightNumeric) switch
            {
                (true, true) => Number(left[i]).CompareTo(Number(right[i])),
                (true, false) => 1,
                (false, true) => -1,
                _ => string.CompareOrdinal(left[i], right[i]),
            };
            if (result != 0)
            {
                return result;
            }
        }

        return left.Count.CompareTo(right.Count);
    }

    private string Format(bool includeLocal)
    {
        var builder = new StringBuilder();
        if (!Epoch.IsZero)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{Epoch}!");
        }

        builder.AppendJoin('.', Release.Select(r => r.ToString(CultureInfo.InvariantCulture)));
        if (PreLabel is not null)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{PreLabel}{PreNumber}");
        }

        if (Post is { } post)
        {
            builder.Append(CultureInfo.InvariantCulture, $".post{post}");
        }

        if (Dev is { } dev)
        {
            builder.Append(CultureInfo.InvariantCulture, $".dev{dev}");
        }

        if (includeLocal && Local is not null)
        {
            builder.Append('+').AppendJoin('.', Local);
        }

        return builder.ToString();
    }

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static BigInteger Number(string digits) => BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
}
