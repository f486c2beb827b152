using System.Text.RegularExpressions;

namespace Packyard.Plugins;

/// <summary>Removes user-info and query strings from URLs in text bound for logs, events and status.</summary>
public static partial class UrlSanitizer
{
    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?<userinfo>[^@/\s]*@)?(?<rest>[^\s?#""']*)(?<query>\?[^\s#""']*)?")]
    private static partial Regex UrlPattern();

    public static string Sanitize(string text) =>
        UrlPattern().Replace(text, m => m.Groups["scheme"].Value + m.Groups["rest"].Value);
}
