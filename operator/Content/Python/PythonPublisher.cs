using System.Net;
using System.Text;
using System.Text.Json;
using Packyard.Plugins;

namespace Packyard.Content.Python;

/// <summary>
/// Publishes static pages per project: <c>simple/index.{html,json}</c>, <c>simple/&lt;project&gt;/index.{html,json}</c>
/// (PEP 503 and PEP 691; <see cref="PythonRoutes"/> picks one by Accept), and the JSON API <c>pypi/&lt;project&gt;/json</c>
/// (<c>pypi/&lt;project&gt;/&lt;version&gt;/json</c> is derived from it by <see cref="PythonRoutes"/>). Distribution files are served pass-through at <c>packages/&lt;filename&gt;</c>,
/// their core metadata at <c>packages/&lt;filename&gt;.metadata</c> (an artifact when synced, a published file when uploaded).
/// </summary>
internal sealed class PythonPublisher : IPublisher
{
    public const string HtmlFileMediaType = "text/html; charset=utf-8";
    public const string JsonFileMediaType = "application/vnd.pypi.simple.v1+json";
    public const string ApiMediaType = "application/json";
    public const string CoreMetadataMediaType = "text/plain; charset=utf-8";

    public bool PassThrough => true;

    public async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var projects = new SortedDictionary<string, List<PublishedFile>>(StringComparer.Ordinal);
        await foreach (var unit in context.ReadContentAsync(cancellationToken))
        {
            var metadata = JsonSerializer.Deserialize(unit.MetadataJson, PythonJsonContext.Default.PythonFileMetadata);
            var package = metadata is null ? null : unit.Artifacts.FirstOrDefault(a => a.RelativePath == PythonContentType.PackagePath(metadata.Filename));
            if (metadata is null || package is null)
            {
                continue;
            }

            var coreSha256 = unit.Artifacts.FirstOrDefault(a => a.RelativePath == package.RelativePath + ".metadata")?.Sha256;
            if (coreSha256 is null && metadata.CoreMetadata is { } text)
            {
                // An uploaded wheel: its METADATA is served beside it (PEP 658). Written now and dropped from what is
                // kept for the pages, so memory holds one METADATA at a time, not all of them.
                var bytes = Encoding.UTF8.GetBytes(text);
                await context.AddFileAsync(package.RelativePath + ".metadata", CoreMetadataMediaType,
                    (output, token) => output.WriteAsync(bytes, token).AsTask(), cancellationToken);
                coreSha256 = metadata.CoreMetadataSha256;
                metadata = metadata with { CoreMetadata = null };
            }

            if (!projects.TryGetValue(unit.Name, out var files))
            {
                projects[unit.Name] = files = [];
            }

            files.Add(new PublishedFile(metadata, package.Sha256, package.Size ?? metadata.Size, coreSha256,
                PythonVersion.TryParse(metadata.Version, out var version) ? version : null));
        }

        await context.AddFileAsync("simple/index.html", HtmlFileMediaType, (output, token) => WriteRootHtmlAsync(output, projects.Keys, token), cancellationToken);
        await context.AddFileAsync("simple/index.json", JsonFileMediaType, (output, token) => WriteRootJsonAsync(output, projects.Keys, token), cancellationToken);
        foreach (var (project, files) in projects)
        {
            files.Sort((a, b) => string.CompareOrdinal(a.Metadata.Filename, b.Metadata.Filename));
            await context.AddFileAsync($"simple/{project}/index.html", HtmlFileMediaType, (output, token) => WriteProjectHtmlAsync(output, project, files, token), cancellationToken);
            await context.AddFileAsync($"simple/{project}/index.json", JsonFileMediaType, (output, token) => WriteProjectJsonAsync(output, project, files, token), cancellationToken);
            var versions = files.Where(f => f.Version is not null).GroupBy(f => f.Version!.Normalized, StringComparer.Ordinal)
                .OrderBy(g => g.First().Version).ToList();
            var latest = versions.LastOrDefault(g => !g.First().Version!.IsPrerelease && g.Any(f => !f.Metadata.Yanked)) ?? versions.LastOrDefault();
            await context.AddFileAsync($"pypi/{project}/json", ApiMediaType, (output, token) => WriteApiJsonAsync(output, project, versions, latest, all: true, "../../", token), cancellationToken);
        }
    }

    private static async Task WriteRootHtmlAsync(Stream output, IEnumerable<string> projects, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 65536) { NewLine = "\n" };
        await writer.WriteLineAsync("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    <title>Simple index</title>\n  </head>\n  <body>".AsMemory(), cancellationToken);
        foreach (var project in projects)
        {
            await writer.WriteLineAsync($"    <a href=\"{project}/\">{project}</a><br>".AsMemory(), cancellationToken);
        }

        await writer.WriteLineAsync("  </body>\n</html>".AsMemory(), cancellationToken);
    }

    private static async Task WriteRootJsonAsync(Stream output, IEnumerable<string> projects, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        WriteMeta(json);
        json.WriteStartArray("projects");
        foreach (var project in projects)
        {
            json.WriteStartObject();
            json.WriteString("name", project);
            json.WriteEndObject();
            if (json.BytesPending > 65536)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    private static async Task WriteProjectHtmlAsync(Stream output, string project, List<PublishedFile> files, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 65536) { NewLine = "\n" };
        await writer.WriteLineAsync($"<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    <title>Links for {project}</title>\n  </head>\n  <body>\n    <h1>Links for {project}</h1>".AsMemory(), cancellationToken);
        foreach (var file in files)
        {
            var line = new StringBuilder("    <a href=\"");
            line.Append("../../").Append(Href(file)).Append("#sha256=").Append(file.Sha256).Append('"');
            if (file.Metadata.RequiresPython is { } requires)
            {
                line.Append(" data-requires-python=\"").Append(WebUtility.HtmlEncode(requires)).Append('"');
            }

            if (file.Metadata.Yanked)
            {
                line.Append(" data-yanked=\"").Append(WebUtility.HtmlEncode(file.Metadata.YankedReason ?? "")).Append('"');
            }

            if (file.CoreMetadataSha256 is { } core)
            {
                line.Append(" data-core-metadata=\"sha256=").Append(core).Append("\" data-dist-info-metadata=\"sha256=").Append(core).Append('"');
            }

            line.Append('>').Append(WebUtility.HtmlEncode(file.Metadata.Filename)).Append("</a><br>");
            await writer.WriteLineAsync(line, cancellationToken);
        }

        await writer.WriteLineAsync("  </body>\n</html>".AsMemory(), cancellationToken);
    }

    private static async Task WriteProjectJsonAsync(Stream output, string project, List<PublishedFile> files, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        WriteMeta(json);
        json.WriteString("name", project);
        json.WriteStartArray("versions");
        foreach (var version in files.Where(f => f.Version is not null).Select(f => f.Version!).Distinct().Order())
        {
            json.WriteStringValue(version.Normalized);
        }

        json.WriteEndArray();
        json.WriteStartArray("files");
        foreach (var file in files)
        {
            json.WriteStartObject();
            json.WriteString("filename", file.Metadata.Filename);
            json.WriteString("url", "../../" + Href(file));
            json.WriteStartObject("hashes");
            json.WriteString("sha256", file.Sha256);
            json.WriteEndObject();
            if (file.Metadata.RequiresPython is { } requires)
            {
                json.WriteString("requires-python", requires);
            }

            if (file.Size is { } size)
            {
                json.WriteNumber("size", size);
            }

            if (file.Metadata.Yanked)
            {
                if (file.Metadata.YankedReason is { } reason)
                {
                    json.WriteString("yanked", reason);
                }
                else
                {
                    json.WriteBoolean("yanked", true);
                }
            }
            else
            {
                json.WriteBoolean("yanked", false);
            }

            // Absent means "no metadata file" (PEP 691/714). Only the PEP 714 name: pip 22.3 to 23.0 (Debian bookworm's
            // 23.0.1 among them) crash on the old "dist-info-metadata" key in JSON, which is why PEP 714 renamed it.
            if (file.CoreMetadataSha256 is { } core)
            {
                json.WriteStartObject("core-metadata");
                json.WriteString("sha256", core);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            if (json.BytesPending > 65536)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// PyPI's JSON API shape: <c>info</c>, <c>urls</c> (files of the version) and all <c>releases</c>. The per-version
    /// documents (<c>pypi/&lt;project&gt;/&lt;version&gt;/json</c>) are derived from it when asked for (<see cref="PythonRoutes"/>),
    /// so a publication holds three files per project, not one per version.
    /// </summary>
    private static async Task WriteApiJsonAsync(Stream output, string project, List<IGrouping<string, PublishedFile>> versions,
        IGrouping<string, PublishedFile>? current, bool all, string toBase, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteStartObject("info");
        json.WriteString("name", project);
        json.WriteString("version", current?.Key);
        json.WriteString("requires_python", current?.Select(f => f.Metadata.RequiresPython).FirstOrDefault(r => r is not null));
        json.WriteBoolean("yanked", current is not null && current.All(f => f.Metadata.Yanked));
        json.WriteString("yanked_reason", current?.Select(f => f.Metadata.YankedReason).FirstOrDefault(r => r is not null));
        json.WriteEndObject();
        if (all)
        {
            json.WriteStartObject("releases");
            foreach (var version in versions)
            {
                json.WriteStartArray(version.Key);
                foreach (var file in version)
                {
                    WriteApiFile(json, file, toBase);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteStartArray("urls");
        foreach (var file in current ?? Enumerable.Empty<PublishedFile>())
        {
            WriteApiFile(json, file, toBase);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    private static void WriteApiFile(Utf8JsonWriter json, PublishedFile file, string toBase)
    {
        json.WriteStartObject();
        json.WriteString("filename", file.Metadata.Filename);
        json.WriteString("url", toBase + Href(file));
        json.WriteString("packagetype", file.Metadata.Packagetype);
        json.WriteStartObject("digests");
        json.WriteString("sha256", file.Sha256);
        json.WriteEndObject();
        if (file.Size is { } size)
        {
            json.WriteNumber("size", size);
        }

        json.WriteString("requires_python", file.Metadata.RequiresPython);
        json.WriteBoolean("yanked", file.Metadata.Yanked);
        json.WriteString("yanked_reason", file.Metadata.YankedReason);
        json.WriteEndObject();
    }

    private static void WriteMeta(Utf8JsonWriter json)
    {
        json.WriteStartObject("meta");
        json.WriteString("api-version", "1.0");
        json.WriteEndObject();
    }

    private static string Href(PublishedFile file) => "packages/" + Uri.EscapeDataString(file.Metadata.Filename);

    private sealed record PublishedFile(PythonFileMetadata Metadata, string Sha256, long? Size, string? CoreMetadataSha256, PythonVersion? Version);
}
