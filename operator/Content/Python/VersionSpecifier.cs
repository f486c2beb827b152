using System.Numerics;

namespace Packyard.Content.Python;

/// <summary>
/// One PEP 440 version specifier clause (<c>~=1.4.2</c>, <c>==1.4.*</c>, <c>!=2.0</c>, <c>&lt;3</c>, <c>===foo</c>),
/// with the PEP's rules for padding, local versions, and exclusive ordered comparisons.
/// </summary>
public sealed class VersionSpecifier
{
    private static readonly string[] Operators = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];

    private VersionSpecifier(string op, string text, PythonVersion? version, bool wildcard)
    {
        Operator = op;
        Text = text;
        Version = version;
        Wildcard = wildcard;
    }

    public string Operator { get; }

    /// <summary>The version text after the operator (without <c>.*</c>).</summary>
    public string Text { get; }

    public PythonVersion? Version { get; }

    public bool Wildcard { get; }

    /// <summary>True when the clause names a pre-release, which lets pre-releases match (PEP 440).</summary>
    public bool MentionsPrerelease => Operator != "!=" && Version is { IsPrerelease: true };

    public static bool TryParse(string clause, out VersionSpecifier specifier, out string? error)
    {
        specifier = null!;
        var trimmed = clause.Trim();
        var op = Operators.FirstOrDefault(o => trimmed.StartsWith(o, StringComparison.Ordinal));
        if (op is null)
        {
            error = $"'{clause}' does not start with one of {string.Join(" ", Operators)}";
            return false;
        }

        var text = trimmed[op.Length..].Trim();
        if (op == "===")
        {
            error = text.Length == 0 || text.Any(char.IsWhiteSpace) ? $"'{clause}' has no version" : null;
            specifier = new VersionSpecifier(op, text, PythonVersion.TryParse(text, out var any) ? any : null, false);
            return error is null;
        }

        var wildcard = text.EndsWith(".*", StringComparison.Ordinal);
        if (wildcard)
        {
            if (op is not ("==" or "!="))
            {
                error = $"'{clause}': a '.*' suffix is only allowed with == and !=";
                return false;
            }

            text = text[..^2];
        }

        if (!PythonVersion.TryParse(text, out var version))
        {
            error = $"'{clause}': '{text}' is not a PEP 440 version";
            return false;
        }

        if (version.Local is not null && !(op is "==" or "!=") )
        {
            error = $"'{clause}': a local version label is only allowed with == and !=";
            return false;
        }

        if (wildcard && version.Local is not null)
        {
            error = $"'{clause}': a prefix match cannot have a local version label";
            return false;
        }

        if (op == "~=" && version.Release.Count < 2)
        {
            error = $"'{clause}': ~= needs at least two release segments";
            return false;
        }

        error = null;
        specifier = new VersionSpecifier(op, text, version, wildcard);
        return true;
    }

    /// <summary>Whether <paramref name="candidate"/> satisfies this clause (pre-release policy is the caller's).</summary>
    public bool Contains(PythonVersion candidate)
    {
        if (Operator == "===")
        {
            return string.Equals(candidate.Normalized, Text, StringComparison.OrdinalIgnoreCase)
                || (Version is not null && string.Equals(candidate.Normalized, Version.Normalized, StringComparison.Ordinal));
        }

        var spec = Version!;
        switch (Operator)
        {
            case "==":
                return Wildcard ? PrefixMatches(candidate, spec) : Equal(candidate, spec);
            case "!=":
                return Wildcard ? !PrefixMatches(candidate, spec) : !Equal(candidate, spec);
            case "<=":
                return candidate.Public <= spec;
            case ">=":
                return candidate.Public >= spec;
            case "<":
                // <V excludes pre-releases of V itself unless V is a pre-release.
                return candidate.Public < spec
                    && !(!spec.IsPrerelease && candidate.IsPrerelease && candidate.BaseVersion == spec.BaseVersion);
            case ">":
                // >V excludes post-releases of V unless V is one, and local versions of V.
                return candidate.Public > spec
                    && !(!spec.IsPostRelease && candidate.IsPostRelease && candidate.BaseVersion == spec.BaseVersion)
                    && !(candidate.Local is not null && candidate.BaseVersion == spec.BaseVersion);
            default: // ~=
                var prefix = spec.Release.Take(spec.Release.Count - 1).ToArray();
                return candidate.Public >= spec && candidate.Epoch == spec.Epoch && ReleaseStartsWith(candidate, prefix);
        }
    }

    public override string ToString() => $"{Operator}{Text}{(Wildcard ? ".*" : "")}";

    /// <summary>Without a local label in the specifier, the candidate's local label is ignored; release is zero-padded.</summary>
    private static bool Equal(PythonVersion candidate, PythonVersion spec) =>
        spec.Local is null ? candidate.Public == spec : candidate == spec;

    private static bool PrefixMatches(PythonVersion candidate, PythonVersion prefix)
    {
        if (candidate.Epoch != prefix.Epoch)
        {
            return false;
        }

        if (prefix.PreLabel is null && prefix.Post is null && prefix.Dev is null)
        {
            return ReleaseStartsWith(candidate, prefix.Release);
        }

        // A prefix with pre/post/dev parts: the candidate's release must equal it, and its later parts start the same.
        if (candidate.BaseVersion != prefix.BaseVersion)
        {
            return false;
        }

        var candidateText = candidate.Public.Normalized[candidate.BaseVersion.Normalized.Length..];
        var prefixText = prefix.Normalized[prefix.BaseVersion.Normalized.Length..];
        return candidateText.StartsWith(prefixText, StringComparison.Ordinal);
    }

    private static bool ReleaseStartsWith(PythonVersion candidate, IReadOnlyList<BigInteger> prefix)
    {
        for (var i = 0; i < prefix.Count; i++)
        {
            var part = i < candidate.Release.Count ? candidate.Release[i] : BigInteger.Zero;
            if (part != prefix[i])
            {
                return false;
            }
        }

        return true;
    }
}
