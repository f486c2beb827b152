namespace Packyard.Engine.Downloads;

/// <summary>Checks on paths taken from upstream metadata or uploads: they must stay inside their base.</summary>
public static class UpstreamPaths
{
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

        if (path.Contains("://", StringComparison.Ordinal))
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

    /// <summary>Makes sure a base URL ends in '/', so relative resolution keeps its last segment.</summary>
    public static Uri AsBase(Uri url) =>
        url.AbsolutePath.EndsWith('/') ? url : new UriBuilder(url) { Path = url.AbsolutePath + "/" }.Uri;
}
