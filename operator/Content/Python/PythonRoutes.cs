using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Packyard.Plugins;

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
        if (path.StartsWith("simple", StringComparison.Ordinal) && (path.Length == 6 || path[6] == '/'))
        {
            return await TryServeSimpleAsync(context, path, cancellationToken);
        }

        var segments = path.Split('/');
        if (segments[0] == "pypi" && segments.Length is 3 or 4 && segments[^1] == "json")
        {
            if (!ProjectName.IsValid(segments[1]))
            {
                return false;
            }

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

    /// <summary>
    /// <c>simple</c>, <c>simple/</c>, <c>simple/&lt;project&gt;</c> and <c>simple/&lt;project&gt;/</c>. The served
    /// case (a normalised name with its slash) is parsed without allocating a segment array or the name.
    /// </summary>
    private static Task<bool> TryServeSimpleAsync(ServeContext context, string path, CancellationToken cancellationToken)
    {
        if (path.Length == 6)
        {
            Redirect(context, "simple/");
            return Task.FromResult(true);
        }

        var rest = path.AsSpan(7);
        if (rest.IsEmpty)
        {
            return ServePageAsync(context, "simple/", cancellationToken);
        }

        var slash = rest.IndexOf('/');
        var project = slash < 0 ? rest : rest[..slash];
        if (!ProjectName.IsValid(project) || (slash >= 0 && slash != rest.Length - 1))
        {
            return Task.FromResult(false); // no such project can exist (nor be pulled through), and nothing lives below a page
        }

        if (slash < 0 || !ProjectName.IsNormalized(project))
        {
            Redirect(context, $"simple/{ProjectName.Normalize(project.ToString())}/");
            return Task.FromResult(true);
        }

        return ServeProjectPageAsync(context, path, cancellationToken);
    }

    /// <summary>A project's page; a project this distribution does not have yet is pulled through (when the distribution does that) and answered again.</summary>
    private static async Task<bool> ServeProjectPageAsync(ServeContext context, string path, CancellationToken cancellationToken) =>
        await ServePageAsync(context, path, cancellationToken)
        || await context.PullThroughAsync(path["simple/".Length..^1], cancellationToken);

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
        var format = Negotiate(http.Request.Headers.Accept);
        if (format == PageFormat.None)
        {
            http.Response.StatusCode = StatusCodes.Status406NotAcceptable;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync($"this index serves {PythonContentType.JsonMediaType}, {PythonContentType.HtmlMediaType} and text/html\n", cancellationToken);
            return true;
        }

        if (format == PageFormat.PypiHtml)
        {
            // The published page is text/html; a client that asked for the PEP 691 HTML type gets that type named.
            http.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                if (response.StatusCode == StatusCodes.Status200OK && response.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true)
                {
                    response.ContentType = PythonContentType.HtmlMediaType;
                }

                return Task.CompletedTask;
            }, http.Response);
        }

        return await context.ServeFileAsync(directory + (format == PageFormat.Json ? "index.json" : "index.html"), cancellationToken);
    }

    /// <summary>The representations of a simple page (PEP 691), and None when the client accepts none of them.</summary>
    internal enum PageFormat
    {
        None,
        Json,
        PypiHtml,
        TextHtml,
    }

    /// <summary>
    /// PEP 691 negotiation over every Accept header line: the acceptable representation with the highest quality
    /// wins; on equal quality JSON beats <c>application/vnd.pypi.simple.v1+html</c>, which beats <c>text/html</c>. The
    /// <c>latest</c> aliases name v1; <c>application/*</c> is JSON, <c>*/*</c> and <c>text/*</c> are text/html; q=0
    /// refuses a type. No Accept header gets text/html, which every client understands. Parsed without allocating.
    /// </summary>
    internal static PageFormat Negotiate(StringValues accept)
    {
        if (accept.Count == 0)
        {
            return PageFormat.TextHtml;
        }

        double json = -1, pypiHtml = -1, textHtml = -1;
        var any = false;
        foreach (var line in accept)
        {
            var value = (line ?? "").AsSpan();
            foreach (var range in value.Split(','))
            {
                var item = value[range];
                var semicolon = item.IndexOf(';');
                var media = (semicolon < 0 ? item : item[..semicolon]).Trim();
                if (media.IsEmpty)
                {
                    continue;
                }

                any = true;
                var quality = semicolon < 0 ? 1.0 : Quality(item[(semicolon + 1)..]);
                if (Is(media, PythonContentType.JsonMediaType) || Is(media, "application/vnd.pypi.simple.latest+json") || Is(media, "application/*"))
                {
                    json = Math.Max(json, quality);
                }

                if (Is(media, PythonContentType.HtmlMediaType) || Is(media, "application/vnd.pypi.simple.latest+html"))
                {
                    pypiHtml = Math.Max(pypiHtml, quality);
                }
                else if (Is(media, "text/html") || Is(media, "text/*") || Is(media, "*/*"))
                {
                    textHtml = Math.Max(textHtml, quality);
                }
            }
        }

        if (!any)
        {
            return PageFormat.TextHtml;
        }

        var best = Math.Max(json, Math.Max(pypiHtml, textHtml));
        return best <= 0 ? PageFormat.None
            : json == best ? PageFormat.Json
            : pypiHtml == best ? PageFormat.PypiHtml
            : PageFormat.TextHtml;
    }

    private static bool Is(ReadOnlySpan<char> media, string type) => media.Equals(type, StringComparison.OrdinalIgnoreCase);

    /// <summary>The q parameter of a media range's parameters (1 when absent; 0 when unreadable or out of range, so a malformed q cannot win).</summary>
    private static double Quality(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            if (parameter.Length >= 2 && parameter[0] is 'q' or 'Q' && parameter[1] == '=')
            {
                return double.TryParse(parameter[2..].Trim(), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var q)
                    && q is >= 0 and <= 1 ? q : 0;
            }
        }

        return 1.0;
    }

    private static void Redirect(ServeContext context, string relative)
    {
        var http = context.Http;
        http.Response.Redirect($"{http.Request.PathBase}/{context.BasePath}/{relative}{http.Request.QueryString}", permanent: true);
        http.Response.Headers.CacheControl = "public, max-age=300";
    }
}
