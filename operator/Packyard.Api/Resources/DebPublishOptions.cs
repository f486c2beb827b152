using System.Globalization;
using System.Text.RegularExpressions;
using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>The Repository's <c>spec.publish.deb</c> block: how the deb publisher writes the APT metadata.</summary>
public sealed partial class DebPublishOptions : PublishTypeOptions
{
    /// <summary>How long by-hash indices stay served after a newer publication replaced them, unless <see cref="ByHashRetention"/> says.</summary>
    public static readonly TimeSpan DefaultByHashRetention = TimeSpan.FromHours(24);

    /// <summary>
    /// xz preset 6 takes ~35 s for bookworm's 50 MB main/amd64 Packages on one core and makes it 8.9 MB; preset 1 takes a
    /// fifth of that for 11.1 MB. A repository publishes every new version, so speed wins by default.
    /// </summary>
    public const int DefaultXzPreset = 1;

    [Default(true), Description("Also serve every index under by-hash/SHA256/<digest> (Acquire-By-Hash), so a client never reads an index replaced mid-update.")]
    public bool ByHash { get; set; } = true;

    [Pattern(Patterns.ReleaseFieldText), Description("Origin of each Release (one line of text); absent: <namespace>/<name> of the Repository.")]
    public string? Origin { get; set; }

    [Pattern(Patterns.ReleaseFieldText), Description("Label of each Release (one line of text); absent: <namespace>/<name> of the Repository.")]
    public string? Label { get; set; }

    [Pattern(Patterns.PublishDuration)]
    [Description("Valid-Until of each Release, as time after publishing: number and unit s, m, h or d, e.g. 7d or 36h. apt refuses a Release past it, so the repository must publish again within it. Absent: no Valid-Until.")]
    public string? ValidFor { get; set; }

    [Pattern(Patterns.PublishDuration)]
    [Description("How long by-hash indices stay served after a newer publication replaced them (number and unit s, m, h or d, e.g. 24h, 2d); default 24h.")]
    public string? ByHashRetention { get; set; }

    [Range(0, 9), Description("xz preset of Packages.xz and Sources.xz: 0 (fastest) to 9 (smallest); default 1.")]
    public int? XzPreset { get; set; }

    /// <summary>The message of the rule on <see cref="Suites"/> (the CRD's CEL rule and validate's check).</summary>
    public const string SuitesMessage = "each codename and each suite may appear once in spec.publish.deb.suites, and a suite must not be a codename";

    [MaxLength(MaxSuites), ValidationRule(SuitesRule, SuitesMessage)]
    [Description("Suite names of distributions (codename: bookworm, suite: stable): each Release says both, and the distribution is served under both names. Absent: Suite = Codename = the distribution's name.")]
    public List<DebSuite>? Suites { get; set; }

    /// <summary>Most entries of <see cref="Suites"/>.</summary>
    public const int MaxSuites = 16;

    private const string SuitesRule =
        "self.all(a, self.exists_one(b, b.codename == a.codename) && self.exists_one(b, b.suite == a.suite) && !self.exists(b, b.codename == a.suite))";

    /// <summary>The suite of distribution <paramref name="codename"/>: its entry in <see cref="Suites"/>, or the codename itself.</summary>
    public string SuiteOf(string codename) =>
        Suites?.FirstOrDefault(entry => string.Equals(entry.Codename, codename, StringComparison.Ordinal))?.Suite ?? codename;

    public override IEnumerable<(string Field, string Message)> CheckRules()
    {
        if (Suites is { } suites && !suites.TrueForAll(a => suites.Count(b => b.Codename == a.Codename) == 1
                && suites.Count(b => b.Suite == a.Suite) == 1 && !suites.Exists(b => b.Codename == a.Suite)))
        {
            yield return ("suites", SuitesMessage);
        }
    }

    /// <summary>
    /// Reads a duration in <see cref="Patterns.PublishDuration"/>'s format (<c>7d</c>, <c>36h</c>, <c>1d12h</c>); null when
    /// <paramref name="text"/> is absent or not one.
    /// </summary>
    public static TimeSpan? ParseDuration(string? text)
    {
        if (text is null || DurationPattern().Match(text) is not { Success: true } match)
        {
            return null;
        }

        var seconds = 0.0;
        foreach (Capture pair in match.Groups[1].Captures)
        {
            var number = double.Parse(pair.ValueSpan[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            seconds += number * pair.ValueSpan[^1] switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => 86400,
            };
        }

        return TimeSpan.FromSeconds(seconds);
    }

    [GeneratedRegex(Patterns.PublishDuration, RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
