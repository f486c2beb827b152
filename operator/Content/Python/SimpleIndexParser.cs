using System.Text;
using System.Text.Json;
using Packyard.Plugins;

namespace Packyard.Content.Python;

/// <summary>
/// Reads PEP 503 HTML and PEP 691 JSON simple pages: the root index (project names) and project pages (files).
/// Pages are read with a size bound; project pages with a bound on the number of files.
/// </summary>
internal static class SimpleIndexParser
{
    /// <summary>Reads a whole page, failing when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadBoundedAsync(Stream body, long maxBytes, string pageName, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new InvalidUpstreamMetadataException($"{pageName} is larger than {maxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public static bool IsJson(string? contentType) =>
        contentType is not null && contentType.StartsWith(PythonContentType.JsonMediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The project names of a root index page (not normalised).</summary>
    public static List<string> ParseRoot(byte[] page, bool json, string pageName)
    {
        var names = new List<string>();
        if (json)
        {
            try
            {
                using var document = JsonDocument.Parse(page);
                if (!document.RootElement.TryGetProperty("projects", out var projects) || projects.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidUpstreamMetadataException($"{pageName}: PEP 691 root index without a 'projects' array");
                }

                foreach (var project in projects.EnumerateArray())
                {
                    if (project.ValueKind == JsonValueKind.Object && project.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                    {
                        names.Add(name.GetString()!);
                    }
                }
            }
            catch (JsonException e)
            {
                throw new InvalidUpstreamMetadataException($"{pageName}: invalid JSON: {e.Message}", e);
            }

            return names;
        }

        foreach (var (_, text) in HtmlAnchorReader.Read(Decode(page, pageName), pageName))
        {
            names.Add(text);
        }

        return names;
    }

    /// <summary>
    /// The files of a project page; <paramref name="pageUrl"/> resolves relative links, and every link must stay on the scheme
    /// (and, for a file: Remote, in the folder) of <paramref name="remoteUrl"/>, the Remote's <c>spec.url</c>.
    /// </summary>
    public static List<IndexFile> ParseProject(byte[] page, bool json, Uri pageUrl, string pageName, Uri remoteUrl)
    {
        var files = new List<IndexFile>();
        if (json)
        {
            try
            {
                using var document = JsonDocument.Parse(page);
                if (!document.RootElement.TryGetProperty("files", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidUpstreamMetadataException($"{pageName}: PEP 691 project page without a 'files' array");
                }

                foreach (var entry in list.EnumerateArray())
                {
                    CheckCount(files, pageName);
                    files.Add(FromJson(entry, pageUrl, pageName, remoteUrl));
                }
            }
            catch (JsonException e)
            {
                throw new InvalidUpstreamMetadataException($"{pageName}: invalid JSON: {e.Message}", e);
            }

            return files;
        }

        foreach (var (attributes, text) in HtmlAnchorReader.Read(Decode(page, pageName), pageName))
        {
            if (!attributes.TryGetValue("href", out var href) || href.Length == 0)
            {
                continue;
            }

            CheckCount(files, pageName);
            var (url, fragment) = Resolve(remoteUrl, pageUrl, href, pageName);
            var fileName = text.Length > 0 ? text : LastSegment(url);
            var coreMetadata = attributes.TryGetValue("data-core-metadata", out var core) ? core
                : attributes.TryGetValue("data-dist-info-metadata", out var distInfo) ? distInfo : null;
            var yanked = attributes.TryGetValue("data-yanked", out var reason);
            files.Add(Checked(new IndexFile(
                fileName, url, HashFrom(fragment),
                attributes.TryGetValue("data-requires-python", out var requires) && requires.Length > 0 ? requires : null,
                yanked, yanked && reason!.Length > 0 ? reason : null,
                coreMetadata is not null && !string.Equals(coreMetadata, "false", StringComparison.OrdinalIgnoreCase),
                coreMetadata is null ? null : HashFrom(coreMetadata),
                Size: null), pageName));
        }

        return files;
    }

    private static IndexFile FromJson(JsonElement entry, Uri pageUrl, string pageName, Uri remoteUrl)
    {
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("filename", out var fileName) || fileName.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("url", out var href) || href.ValueKind != JsonValueKind.String)
        {
            throw new InvalidUpstreamMetadataException($"{pageName}: a file entry without 'filename' and 'url' strings");
        }

        var (url, _) = Resolve(remoteUrl, pageUrl, href.GetString()!, pageName);
        string? sha256 = null;
        if (entry.TryGetProperty("hashes", out var hashes) && hashes.ValueKind == JsonValueKind.Object
            && hashes.TryGetProperty("sha256", out var hash) && hash.ValueKind == JsonValueKind.String)
        {
            sha256 = hash.GetString()!.ToLowerInvariant();
        }

        var yanked = false;
        string? yankedReason = null;
        if (entry.TryGetProperty("yanked", out var yank))
        {
            yanked = yank.ValueKind == JsonValueKind.True || yank.ValueKind == JsonValueKind.String;
            yankedReason = yank.ValueKind == JsonValueKind.String && yank.GetString()!.Length > 0 ? yank.GetString() : null;
        }

        var hasCore = false;
        string? coreSha = null;
        if (entry.TryGetProperty("core-metadata", out var core) || entry.TryGetProperty("dist-info-metadata", out core)
            || entry.TryGetProperty("data-dist-info-metadata", out core))
        {
            hasCore = core.ValueKind is JsonValueKind.True or JsonValueKind.Object;
            if (core.ValueKind == JsonValueKind.Object && core.TryGetProperty("sha256", out var coreHash) && coreHash.ValueKind == JsonValueKind.String)
            {
                coreSha = coreHash.GetString()!.ToLowerInvariant();
            }
        }

        return Checked(new IndexFile(
            fileName.GetString()!, url, sha256,
            entry.TryGetProperty("requires-python", out var requires) && requires.ValueKind == JsonValueKind.String && requires.GetString()!.Length > 0 ? requires.GetString() : null,
            yanked, yankedReason, hasCore, coreSha,
            entry.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var bytes) && bytes >= 0 ? bytes : null),
            pageName);
    }

    private static IndexFile Checked(IndexFile file, string pageName)
    {
        if (PythonContentType.FileNameProblem(file.FileName) is { } problem)
        {
            throw new InvalidUpstreamMetadataException($"{pageName}: refusing file '{file.FileName}': {problem}");
        }

        if (file.Sha256 is not null && !Digests.IsSha256(file.Sha256))
        {
            throw new InvalidUpstreamMetadataException($"{pageName}: '{file.FileName}' has a malformed sha256 '{file.Sha256}'");
        }

        return file.CoreMetadataSha256 is not null && !Digests.IsSha256(file.CoreMetadataSha256) ? file with { CoreMetadataSha256 = null } : file;
    }

    private static void CheckCount(List<IndexFile> files, string pageName)
    {
        if (files.Count >= PythonContentType.MaxFilesPerProject)
        {
            throw new InvalidUpstreamMetadataException($"{pageName} lists more than {PythonContentType.MaxFilesPerProject} files; refusing it as hostile or broken");
        }
    }

    private static (Uri Url, string? Fragment) Resolve(Uri remoteUrl, Uri pageUrl, string href, string pageName)
    {
        var url = UpstreamPaths.ResolveLink(remoteUrl, pageUrl, href, pageName);
        var fragment = url.Fragment.Length > 1 ? url.Fragment[1..] : null;
        return (new UriBuilder(url) { Fragment = "" }.Uri, fragment);
    }

    /// <summary>The sha256 of a <c>sha256=HEX</c> fragment or attribute value, or null.</summary>
    private static string? HashFrom(string? value)
    {
        if (value is null || !value.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return value[7..].ToLowerInvariant();
    }

    private static string LastSegment(Uri url) => Uri.UnescapeDataString(url.AbsolutePath[(url.AbsolutePath.LastIndexOf('/') + 1)..]);

    private static string Decode(byte[] page, string pageName)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(page);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidUpstreamMetadataException($"{pageName}: not valid UTF-8", e);
        }
    }
}
