using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Packyard.Api.Resources;

namespace Packyard.Content.Container;

/// <summary>
/// The OCI distribution API's read side for one distribution, reached through <see cref="OciRootRoutes"/> (<c>/v2/&lt;name&gt;/…</c>,
/// after the server has matched the distribution, checked its guard and picked its publication): <c>manifests/&lt;tag|digest&gt;</c>,
/// <c>blobs/&lt;digest&gt;</c>, <c>tags/list</c> and <c>referrers/&lt;digest&gt;</c>, with the spec's JSON errors. A request that did not
/// come through <c>/v2/</c> is left to the server (the published files and blobs as plain files).
/// </summary>
internal sealed partial class ContainerRoutes : IContentRoutes
{
    public const string DigestHeader = "Docker-Content-Digest";

    /// <summary>How long a tag fetched through is served before it is checked upstream again, when the distribution does not say.</summary>
    public static readonly TimeSpan DefaultTagTtl = TimeSpan.FromMinutes(5);

    [GeneratedRegex("^(?<repository>.+)/(?:(?<kind>manifests|blobs|referrers)/(?<reference>[^/]+)|(?<kind>tags)/(?<reference>list))$")]
    private static partial Regex UpstreamPath();

    private readonly TagChecks tagChecks = new(TimeProvider.System);

    public async Task<bool> TryServeAsync(ServeContext context, string path, CancellationToken cancellationToken)
    {
        if (!context.Http.Items.TryGetValue(OciRootRoutes.NameKey, out var value) || value is not string name)
        {
            return false;
        }

        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var kind = slash < 0 ? path : path[..slash];
        var reference = slash < 0 ? "" : path[(slash + 1)..];
        var http = context.Http;
        var scope = RepositoryScope.Distribution;
        if (kind is not ("manifests" or "blobs" or "tags" or "referrers") || reference.Contains('/', StringComparison.Ordinal))
        {
            // A pull-through distribution for a whole registry: <basePath>/<upstream repository>/….
            if (UpstreamPath().Match(path) is { Success: true } match && OciName.IsValidName(match.Groups["repository"].Value)
                && await context.PullThroughRemoteAsync(cancellationToken) is { } remote
                && string.IsNullOrWhiteSpace((remote.TypeOptions as ContainerRemoteOptions)?.UpstreamName))
            {
                scope = RepositoryScope.Upstream(OciName.UpstreamRepository(remote.BaseUrl, match.Groups["repository"].Value));
                kind = match.Groups["kind"].Value;
                reference = match.Groups["reference"].Value;
            }
            else
            {
                // The matched distribution's base path is only the start of the name (a/b asked, a served): no such repository.
                await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.NameUnknown, $"repository '{name}' is not known to this registry");
                return true;
            }
        }
        else if (await context.PullThroughRemoteAsync(cancellationToken) is not null)
        {
            scope = RepositoryScope.PulledDistribution;
        }

        switch (kind)
        {
            case "manifests" when reference.Length > 0:
                await ServeManifestAsync(context, name, scope, reference, cancellationToken);
                return true;
            case "blobs" when reference.Length > 0:
                await ServeBlobAsync(context, scope, reference, cancellationToken);
                return true;
            case "tags" when reference == "list":
                await ServeTagsAsync(context, name, scope, cancellationToken);
                return true;
            case "referrers" when reference.Length > 0:
                await ServeReferrersAsync(context, reference, cancellationToken);
                return true;
            default:
                await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.NameUnknown, $"repository '{name}' is not known to this registry");
                return true;
        }
    }

    /// <summary>
    /// A manifest by digest (never checked upstream again once here) or by tag. A pull-through distribution fetches what it does not
    /// have, and checks a tag it has upstream again when the last check is older than <c>spec.pullThrough.tagTTL</c>: a moved tag
    /// makes a new version; an upstream that cannot be reached leaves the stored tag served.
    /// </summary>
    private async Task ServeManifestAsync(ServeContext context, string name, RepositoryScope scope, string reference, CancellationToken cancellationToken)
    {
        var http = context.Http;
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            if (OciDigest.Problem(reference) is { } problem)
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.DigestInvalid, problem);
                return;
            }

            http.Response.Headers[DigestHeader] = reference;
            if (await context.ServeFileAsync(ContainerContentType.ManifestPath(reference), cancellationToken)
                || (scope.DigestName(reference) is { } pull && await context.PullThroughAsync(pull, cancellationToken)))
            {
                return;
            }

            await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.ManifestUnknown, $"manifest unknown: {name} has no manifest {reference}");
            return;
        }

        if (!OciName.IsValidTag(reference))
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.TagInvalid, $"'{reference}' is not a valid tag");
            return;
        }

        var key = scope.TagKey(reference);
        var tag = (await ReadTagsAsync(context, cancellationToken)).Find(t => t.Tag == key);
        if (scope.CanPull && (tag is null || tagChecks.Due(context.BasePath, key, context.PullThroughTagTtl ?? DefaultTagTtl)))
        {
            // Marked before asking, so an upstream that is down is asked at most once per TTL, not by every request.
            tagChecks.Mark(context.BasePath, key);
            if (await context.PullThroughAsync(scope.TagName(reference), cancellationToken))
            {
                return;
            }
        }

        if (tag is null)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.ManifestUnknown, $"manifest unknown: {name} has no tag '{reference}'");
            return;
        }

        var digest = tag.Digest;
        http.Response.Headers[DigestHeader] = digest;
        if (!await context.ServeFileAsync(ContainerContentType.ManifestPath(digest), cancellationToken))
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.ManifestUnknown, $"manifest unknown: {name} has no manifest {digest}");
        }
    }

    private static async Task ServeBlobAsync(ServeContext context, RepositoryScope scope, string digest, CancellationToken cancellationToken)
    {
        var http = context.Http;
        if (OciDigest.Problem(digest) is { } problem)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.DigestInvalid, problem);
            return;
        }

        http.Response.Headers[DigestHeader] = digest;
        if (await context.ServeFileAsync(ContainerContentType.BlobPath(digest), cancellationToken)
            || (scope.DigestName(digest) is { } pull && await context.PullThroughAsync(pull, cancellationToken)))
        {
            return;
        }

        await OciErrors.WriteAsync(http, StatusCodes.Status404NotFound, OciErrors.BlobUnknown, $"blob unknown to registry: {digest}");
    }

    /// <summary><c>tags/list</c>: tags in ordinal order after <c>last</c>, at most <c>n</c>, with a <c>Link</c> to the next page when more remain.</summary>
    private static async Task ServeTagsAsync(ServeContext context, string name, RepositoryScope scope, CancellationToken cancellationToken)
    {
        var http = context.Http;
        var query = http.Request.Query;
        var tags = (await ReadTagsAsync(context, cancellationToken)).Select(t => scope.TagOf(t.Tag)).OfType<string>();
        if (query["last"].ToString() is { Length: > 0 } last)
        {
            tags = tags.Where(t => string.CompareOrdinal(t, last) > 0);
        }

        var remaining = tags.ToList();
        var page = remaining;
        if (query["n"].ToString() is { Length: > 0 } nText)
        {
            if (!int.TryParse(nText, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.Unsupported, $"n must be a non-negative integer, not '{nText}'");
                return;
            }

            page = remaining.Take(n).ToList();
            if (page.Count > 0 && page.Count < remaining.Count)
            {
                http.Response.Headers.Link = $"<{http.Request.PathBase}/v2/{name}/tags/list?n={n}&last={Uri.EscapeDataString(page[^1])}>; rel=\"next\"";
            }
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(new OciTagList(name, page), ContainerJsonContext.Default.OciTagList);
        await WriteJsonAsync(http, "application/json", bytes, cancellationToken);
    }

    /// <summary><c>referrers/&lt;digest&gt;</c>: the published index of the manifests whose subject it is (empty when none), filtered by <c>artifactType</c>.</summary>
    private static async Task ServeReferrersAsync(ServeContext context, string digest, CancellationToken cancellationToken)
    {
        var http = context.Http;
        if (OciDigest.Problem(digest) is { } problem)
        {
            await OciErrors.WriteAsync(http, StatusCodes.Status400BadRequest, OciErrors.DigestInvalid, problem);
            return;
        }

        var referrers = new List<OciManifestMetadata>();
        await using (var published = await context.OpenPublishedFileAsync(ContainerContentType.ReferrersPath(digest), cancellationToken))
        {
            if (published is not null)
            {
                using var document = await JsonDocument.ParseAsync(published, cancellationToken: cancellationToken);
                foreach (var item in document.RootElement.GetProperty("manifests").EnumerateArray())
                {
                    referrers.Add(new OciManifestMetadata(item.GetProperty("digest").GetString()!, item.GetProperty("mediaType").GetString()!, item.GetProperty("size").GetInt64())
                    {
                        ArtifactType = item.TryGetProperty("artifactType", out var type) ? type.GetString() : null,
                        Annotations = item.TryGetProperty("annotations", out var annotations)
                            ? annotations.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal) : null,
                    });
                }
            }
        }

        var artifactType = http.Request.Query["artifactType"].ToString();
        if (artifactType.Length > 0)
        {
            http.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        }

        using var buffer = new MemoryStream();
        await ContainerPublisher.WriteReferrersAsync(buffer, referrers, artifactType.Length > 0 ? artifactType : null, cancellationToken);
        await WriteJsonAsync(http, OciMediaTypes.ImageIndex, buffer.ToArray(), cancellationToken);
    }

    private static async Task<List<TagMetadata>> ReadTagsAsync(ServeContext context, CancellationToken cancellationToken)
    {
        await using var published = await context.OpenPublishedFileAsync(ContainerContentType.TagsFile, cancellationToken);
        return published is null ? []
            : (await JsonSerializer.DeserializeAsync(published, ContainerJsonContext.Default.TagIndex, cancellationToken))?.Tags ?? [];
    }

    private static async Task WriteJsonAsync(HttpContext http, string mediaType, byte[] bytes, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = mediaType;
        http.Response.ContentLength = bytes.Length;
        http.Response.Headers.CacheControl = "public, max-age=60";
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.Body.WriteAsync(bytes, cancellationToken);
        }
    }
}
