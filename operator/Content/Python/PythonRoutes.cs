using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Packyard.Engine.Plugins;

namespace Packyard.Content.Python;

/// <summary>
/// Serves <c>simple/</c> and <c>simple/&lt;project&gt;/</c> as PEP 691 JSON or PEP 503 HTML by the Accept header,
/// redirects non-normalised project names (PEP 503) and missing trailing slashes, and normalises names in
/// <c>pypi/&lt;project&gt;/json</c> and <c>pypi/&lt;project&gt;/&lt;version&gt;/json</c>.
/// </summary>
internal sealed class PythonRoutes : IContentRoutes
{
    public async Task<bool> TryServeAsync(ServeContext context, string path, CancellationToken cancellationToken)
    {
        var segments = path.Split('/');
        if (segments[0] == "simple")
        {
            if (segments.Length == 1)
            {
                Redirect(context, "simple/");
                return true;
            }

            if (segments.Length == 2 && segments[1].Length == 0)
            {
                return await ServePageAsync(context, "simple/", cancellationToken);
            }

            var project = segments[1];
            var normalized = ProjectName.Normalize(project);
            if (segments.Length == 2 || (segments.Length == 3 && segments[2].Length == 0 && normalized != project))
            {
                Redirect(context, $"simple/{normalized}/");
                return true;
            }

            if (segments.Length == 3 && segments[2].Length == 0)
            {
                // A project this distribution does not have yet: a pull-through distribution fetches it and answers again.
                return await ServePageAsync(context, $"simple/{project}/", cancellationToken)
                    || await context.PullThroughAsync(project, cancellationToken);
            }

            return false;
        }

        if (segments[0] == "pypi" && segments.Length is 3 or 4 && segments[^1] == "json")
        {
            var normalized = ProjectName.Normalize(segments[1]);
            if (normalized != segments[1])
            {
                Redirect(context, $"pypi/{normalized}/{string.Join('/', segments[2..])}");
                return true;
            }

            if (segments.Length == 4 && PythonVersion.TryParse(segments[2], out var version) && version.Normalized != segments[2])
            {
                Redirect(context, $"pypi/{normalized}/{version.Normalized}/json");
                return true;
            }

            return segments.Length == 4 && await ServeVersionJsonAsync(context, normalized, segments[2], cancellationToken);
        }

        return false;
    }

    /// <summary><c>pypi/&lt;project&gt;/&lt;version&gt;/json</c>: the version's files and info, cut from the published project document.</summary>
    private static async Task<bool> ServeVersionJsonAsync(ServeContext context, string project, string version, CancellationToken cancellationToken)
    {
        await using var stream = await context.OpenPublishedFileAsync($"pypi/{project}/json", cancellationToken);
        if (stream is null)
        {
            return false;
        }

        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        if (!document.RootElement.TryGetProperty("releases", out var releases) || !releases.TryGetProperty(version, out var files))
        {
            return false;
        }

        var http = context.Http;
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "public, max-age=60";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("info");
            foreach (var property in document.RootElement.GetProperty("info").EnumerateObject())
            {
                if (property.NameEquals("version"))
                {
                    json.WriteString("version", version);
                }
                else if (property.NameEquals("yanked"))
                {
                    json.WriteBoolean("yanked", files.GetArrayLength() > 0 && files.EnumerateArray().All(f => f.TryGetProperty("yanked", out var y) && y.ValueKind == JsonValueKind.True));
                }
                else if (!property.NameEquals("requires_python") && !property.NameEquals("yanked_reason"))
                {
                    property.WriteTo(json);
                }
            }

            json.WriteString("requires_python", files.EnumerateArray().Select(f => f.TryGetProperty("requires_python", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null).FirstOrDefault(r => r is not null));
            json.WriteEndObject();
            json.WriteStartArray("urls");
            foreach (var file in files.EnumerateArray())
            {
                json.WriteStartObject();
                foreach (var property in file.EnumerateObject())
                {
                    if (property.NameEquals("url") && property.Value.ValueKind == JsonValueKind.String
                        && !Uri.TryCreate(property.Value.GetString(), UriKind.Absolute, out _))
                    {
                        json.WriteString("url", "../" + property.Value.GetString()); // one folder deeper than the project document
                    }
                    else
                    {
                        property.WriteTo(json);
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        http.Response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        }

        return true;
    }

    private static async Task<bool> ServePageAsync(ServeContext context, string directory, CancellationToken cancellationToken)
    {
        var http = context.Http;
        http.Response.Headers.Vary = "Accept";
        var json = PrefersJson(http.Request.Headers.Accept.ToString(), out var acceptable);
        if (!acceptable)
        {
            http.Response.StatusCode = StatusCodes.Status406NotAcceptable;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync($"this index serves {PythonContentType.JsonMediaType}, {PythonContentType.HtmlMediaType} and text/html\n", cancellationToken);
            return true;
        }

        return await context.ServeFileAsync(directory + (json ? "index.json" : "index.html"), cancellationToken);
    }

    /// <summary>
    /// PEP 691 negotiation: the acceptable media type with the highest quality wins (JSON on ties); no Accept header, or
    /// <c>*/*</c>, gets HTML, which every client understands. <paramref name="acceptable"/> is false when nothing offered fits.
    /// </summary>
    internal static bool PrefersJson(string accept, out bool acceptable)
    {
        acceptable = true;
        if (string.IsNullOrWhiteSpace(accept) || !MediaTypeHeaderValue.TryParseList([accept], out var types))
        {
            return false;
        }

        double json = -1, html = -1;
        foreach (var type in types)
        {
            var quality = type.Quality ?? 1.0;
            var media = type.MediaType.Value ?? "";
            if (media.Equals(PythonContentType.JsonMediaType, StringComparison.OrdinalIgnoreCase) || media.Equals("application/vnd.pypi.simple.latest+json", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json, quality);
            }
            else if (media.Equals(PythonContentType.HtmlMediaType, StringComparison.OrdinalIgnoreCase) || media.Equals("text/html", StringComparison.OrdinalIgnoreCase)
                || media.Equals("application/vnd.pypi.simple.latest+html", StringComparison.OrdinalIgnoreCase) || media.Equals("*/*", StringComparison.Ordinal)
                || media.Equals("text/*", StringComparison.OrdinalIgnoreCase))
            {
                html = Math.Max(html, quality);
            }
        }

        if (json <= 0 && html <= 0)
        {
            acceptable = false;
            return false;
        }

        return json > 0 && json >= html;
    }

    private static void Redirect(ServeContext context, string relative)
    {
        var http = context.Http;
        http.Response.Redirect($"{http.Request.PathBase}/{context.BasePath}/{relative}{http.Request.QueryString}", permanent: true);
        http.Response.Headers.CacheControl = "public, max-age=300";
    }
}
