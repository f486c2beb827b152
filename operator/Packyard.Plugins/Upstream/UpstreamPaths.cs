using System.Text.RegularExpressions;

namespace Packyard.Plugins;

/// <summary>Checks on paths and URLs taken from upstream metadata or uploads: they must stay inside their base.</summary>
public static partial class UpstreamPaths
{
    /// <summary>A first segment shaped like a URL scheme (<c>file:</c>, <c>data:</c>, <c>ftp:</c>).</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex SchemePrefix();

    /// <summary>
    /// Returns null when <paramref name="path"/> is a safe relative path (no empty, '.', '..' segments, no leading '/',
    /// no backslash, no control characters, no scheme), otherwise the reason it is not.
    /// </summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0)
        {
            return "path is empty";
        }

        if (path.Length > 1024)
        {
            return "path is longer than 1024 characters";
        }

        if (path[0] == '/' || path.Contains('\\') || (path.Length > 1 && path[1] == ':'))
        {
            return "path is absolute";
        }

        if (path.Contains("://", StringComparison.Ordinal) || SchemePrefix().IsMatch(path))
        {
            return "path is a URL";
        }

        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                return "path contains a control character";
            }
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return segment == ".." ? "path escapes its base with '..'" : "path has an empty or '.' segment";
            }
        }

        return null;
    }

    /// <summary>Resolves a relative path (already checked by <see cref="Problem"/>) against a base URL ending in '/'.</summary>
    public static Uri Resolve(Uri baseUrl, string relativePath)
    {
        var problem = Problem(relativePath);
        if (problem is not null)
        {
            throw new InvalidUpstreamMetadataException($"'{relativePath}': {problem}");
        }

        var escaped = string.Join('/', relativePath.Split('/').Select(Uri.EscapeDataString));
        return new Uri(baseUrl, escaped);
    }

    /// <summary>
    /// Resolves a link from upstream metadata (absolute, or relative to <paramref name="pageUrl"/>, the document holding it)
    /// and checks it with <see cref="UrlProblem"/> against the Remote's <paramref name="baseUrl"/>.
    /// </summary>
    /// <param name="what">What holds the link, for messages (e.g. <c>simple/foo/</c>).</param>
    public static Uri ResolveLink(Uri baseUrl, Uri pageUrl, string href, string what)
    {
        if (!Uri.TryCreate(pageUrl, href, out var url))
        {
            throw new InvalidUpstreamMetadataException($"{what}: link '{Shorten(href)}' is not a valid URL");
        }

        if (UrlProblem(baseUrl, url) is { } problem)
        {
            throw new InvalidUpstreamMetadataException($"{what}: refusing link '{Shorten(UrlSanitizer.Sanitize(href))}': {problem}");
        }

        return url;
    }

    /// <summary>
    /// Returns null when <paramref name="url"/>, taken from upstream metadata or stored from it, may be fetched for a Remote
    /// whose <c>spec.url</c> is <paramref name="baseUrl"/>, otherwise the reason it may not. The URL must stay on the Remote's
    /// scheme (an http Remote may also link to https, never the reverse); <c>file:</c> is only ever the Remote's own folder:
    /// a <c>file:</c> URL is allowed only for a <c>file:</c> Remote and only under its folder (symbolic links are checked
    /// when the file is opened). Every other scheme (ftp, data, gopher…) is refused.
    /// </summary>
    public static string? UrlProblem(Uri baseUrl, Uri url)
    {
        if (!url.IsAbsoluteUri || !baseUrl.IsAbsoluteUri)
        {
            return url.IsAbsoluteUri ? "the Remote's url is not an absolute URL" : "not an absolute URL";
        }

        var scheme = url.Scheme;
        if (baseUrl.IsFile)
        {
            if (!url.IsFile)
            {
                return $"a file: Remote's metadata may only point to files in its folder, not to {scheme}: URLs";
            }

            if (!string.Equals(url.Host, baseUrl.Host, StringComparison.OrdinalIgnoreCase) || !IsUnder(baseUrl.LocalPath, url.LocalPath))
            {
                return $"it points outside the Remote's folder {baseUrl.LocalPath}";
            }

            return null;
        }

        if (url.IsFile)
        {
            return "upstream metadata may not point to local files (file: is only allowed as a Remote's own spec.url)";
        }

        if (scheme == baseUrl.Scheme || (scheme == Uri.UriSchemeHttps && baseUrl.Scheme == Uri.UriSchemeHttp))
        {
            return null;
        }

        return $"it leaves the Remote's scheme {baseUrl.Scheme}: ({scheme}: URLs are never fetched)";
    }

    /// <summary>True when <paramref name="path"/>, made absolute and normalised, is inside <paramref name="folder"/>.</summary>
    public static bool IsUnder(string folder, string path)
    {
        var root = Path.GetFullPath(folder);
        root = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(path);
        return full.StartsWith(root, StringComparison.Ordinal) && full.Length > root.Length;
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;

    /// <summary>Makes sure a base URL ends in '/', so relative resolution keeps its last segment.</summary>
    public static Uri AsBase(Uri url) =>
        url.AbsolutePath.EndsWith('/') ? url : new UriBuilder(url) { Path = url.AbsolutePath + "/" }.Uri;
}
