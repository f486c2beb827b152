namespace Packyard.Api.Resources;

/// <summary>Regular expressions shared by the schema and the engine.</summary>
public static class Patterns
{
    /// <summary>Go-style duration: one or more number+unit pairs (ms, s, m, h).</summary>
    public const string Duration = @"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$";

    /// <summary>
    /// A duration of publish options: one to four number+unit pairs, units s, m, h and d (days), e.g. <c>7d</c>, <c>36h</c>,
    /// <c>1d12h</c>, <c>1.5h</c>; at most five digits before the point, so any value stays within a few centuries
    /// (<see cref="DebPublishOptions.ParseDuration"/> reads exactly these).
    /// </summary>
    public const string PublishDuration = @"^([0-9]{1,5}(\.[0-9]{1,3})?[smhd]){1,4}$";

    /// <summary>One line of text for a field of a deb Release (Origin, Label): no control characters, no leading or trailing space.</summary>
    public const string ReleaseFieldText = @"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$";

    /// <summary>
    /// A deb distribution (codename or suite) as served under <c>dists/</c>: segments of letters, digits, '.', '_' and '-'
    /// separated by '/', each starting with a letter or digit (so never <c>..</c>). RE2 syntax, as every pattern here: the API
    /// server evaluates it.
    /// </summary>
    public const string DebDistribution = @"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$";

    /// <summary>What a value of <paramref name="pattern"/> must be, in words for error messages; null for a pattern without them.</summary>
    public static string? Meaning(string pattern) => pattern switch
    {
        PublishDuration => "a duration of one to four numbers with unit s, m, h or d, e.g. 7d, 36h or 1d12h",
        ReleaseFieldText => "one line of text without control characters or leading or trailing spaces",
        DebDistribution => "a distribution name such as bookworm, stable or bookworm-updates: letters, digits, '.', '_', '-' and '/' between parts",
        _ => null,
    };

    /// <summary>http(s) URL.</summary>
    public const string HttpUrl = @"^https?://[^\s]+$";

    /// <summary>http(s) or file URL; <c>file:relative/path</c> is allowed for standalone mode.</summary>
    public const string RemoteUrl = @"^(https?://[^\s]+|file:[^\s]+)$";

    /// <summary>One or more lower-case path segments separated by '/', no leading or trailing slash.</summary>
    public const string BasePath = @"^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*$";
}
