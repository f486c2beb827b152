using System.Text.Json;

namespace Packyard.Content.Container;

/// <summary>
/// Reads one repository of an upstream registry through the sync's <see cref="IUpstreamClient"/> (which brings the Remote's
/// credentials, the Bearer token flow, limits and retries): the tag list page by page, manifest digests by HEAD, manifests by
/// digest, and referrers. Everything read is bounded.
/// </summary>
internal sealed class RegistryClient(SyncContext context, string repository)
{
    /// <summary>Tags asked for per page of <c>tags/list</c>.</summary>
    public const int TagPageSize = 1000;

    /// <summary>Most tags an upstream repository may list; more fails the sync (a hostile or runaway upstream).</summary>
    public const int MaxTags = 65_536;

    /// <summary>Largest page of <c>tags/list</c> read.</summary>
    public const int MaxTagPageBytes = 8 << 20;

    /// <summary>Most referrers kept per subject.</summary>
    public const int MaxReferrers = 1000;

    private const string DigestHeader = "Docker-Content-Digest";

    public string Repository => repository;

    public Uri ManifestUrl(string reference) => Url($"v2/{repository}/manifests/{reference}");

    public Uri BlobUrl(string digest) => Url($"v2/{repository}/blobs/{digest}");

    /// <summary>Every tag the upstream lists, following <c>Link: &lt;…&gt;; rel="next"</c> pages.</summary>
    public async Task<List<string>> ListTagsAsync(CancellationToken cancellationToken)
    {
        var tags = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        Uri? page = Url($"v2/{repository}/tags/list?n={TagPageSize}");
        while (page is not null)
        {
            if (!visited.Add(page.AbsoluteUri))
            {
                throw new InvalidUpstreamMetadataException($"{repository}: tags/list pagination loops back to {UrlSanitizer.Sanitize(page.ToString())}");
            }

            await using var response = await context.Upstream.OpenAsync(page, cancellationToken);
            var body = await ReadBoundedAsync(response, MaxTagPageBytes, $"{repository}: a tags/list page", cancellationToken);
            OciTagList? list;
            try
            {
                list = JsonSerializer.Deserialize(body, ContainerJsonContext.Default.OciTagList);
            }
            catch (JsonException e)
            {
                throw new InvalidUpstreamMetadataException($"{repository}: tags/list is not the distribution spec's JSON ({e.Message})");
            }

            foreach (var tag in list?.Tags ?? [])
            {
                if (!OciName.IsValidTag(tag))
                {
                    throw new InvalidUpstreamMetadataException($"{repository}: tags/list names an invalid tag '{(tag.Length > 80 ? tag[..80] + "…" : tag)}'");
                }

                if (!seen.Add(tag))
                {
                    continue;
                }

                if (tags.Count >= MaxTags)
                {
                    throw new InvalidUpstreamMetadataException($"{repository}: the upstream lists more than {MaxTags} tags (limit RegistryClient.MaxTags); nothing was synced");
                }

                tags.Add(tag);
            }

            page = NextPage(page, response.Header("Link"));
        }

        return tags;
    }

    /// <summary>The <c>rel="next"</c> target of a Link header, resolved and checked like every upstream link; null when there is none.</summary>
    internal Uri? NextPage(Uri page, string? link)
    {
        if (string.IsNullOrEmpty(link))
        {
            return null;
        }

        foreach (var part in link.Split(','))
        {
            var open = part.IndexOf('<', StringComparison.Ordinal);
            var close = part.IndexOf('>', StringComparison.Ordinal);
            if (open < 0 || close < open)
            {
                continue;
            }

            var parameters = part[(close + 1)..].Replace(" ", "", StringComparison.Ordinal);
            if (parameters.Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase) || parameters.Contains("rel=next", StringComparison.OrdinalIgnoreCase))
            {
                return context.Remote.ResolveLink(page, part[(open + 1)..close], $"{repository}: tags/list");
            }
        }

        return null;
    }

    /// <summary>The digest a tag points to: <c>Docker-Content-Digest</c> of a HEAD, or (when a registry sends none) of the manifest's bytes.</summary>
    public async Task<string> ResolveTagAsync(string tag, CancellationToken cancellationToken) =>
        await TryResolveTagAsync(tag, cancellationToken)
            ?? throw new UpstreamUnavailableException($"{repository}:{tag}: the upstream lists the tag but has no manifest for it (404)");

    /// <summary>The digest a tag points to (as <see cref="ResolveTagAsync"/>), or null when the upstream has no such tag (404).</summary>
    public async Task<string?> TryResolveTagAsync(string tag, CancellationToken cancellationToken)
    {
        await using (var head = await context.Upstream.TryHeadAsync(ManifestUrl(tag), OciMediaTypes.ManifestAccept, cancellationToken))
        {
            if (head is null)
            {
                return null;
            }

            if (head.Header(DigestHeader) is { } digest)
            {
                return OciDigest.Problem(digest) is { } problem ? throw new ManifestException($"{repository}:{tag}: {DigestHeader}: {problem}") : digest;
            }
        }

        var (bytes, _) = await GetManifestAsync(tag, $"{repository}:{tag}", cancellationToken);
        return OciDigest.Of(bytes);
    }

    /// <summary>Whether the upstream has a manifest with this digest (HEAD).</summary>
    public async Task<bool> ManifestExistsAsync(string digest, CancellationToken cancellationToken)
    {
        await using var head = await context.Upstream.TryHeadAsync(ManifestUrl(digest), OciMediaTypes.ManifestAccept, cancellationToken);
        return head is not null;
    }

    /// <summary>The size of a blob (HEAD), or null when the upstream does not have it.</summary>
    public async Task<long?> TryBlobSizeAsync(string digest, CancellationToken cancellationToken)
    {
        await using var head = await context.Upstream.TryHeadAsync(BlobUrl(digest), "*/*", cancellationToken);
        return head is null ? null
            : head.Length ?? (long.TryParse(head.Header("Content-Length"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) ? length
                : throw new ManifestException($"{repository}: blob {digest}: the upstream gives no size"));
    }

    /// <summary>A manifest's exact bytes and Content-Type, by tag or digest, refused past <see cref="ManifestParser.MaxManifestBytes"/>.</summary>
    public async Task<(byte[] Bytes, string? ContentType)> GetManifestAsync(string reference, string what, CancellationToken cancellationToken)
    {
        await using var response = await context.Upstream.TryOpenAsync(ManifestUrl(reference), OciMediaTypes.ManifestAccept, cancellationToken)
            ?? throw new UpstreamUnavailableException($"{what}: manifest {reference} was not found upstream (404)");
        return (await ReadBoundedAsync(response, ManifestParser.MaxManifestBytes, $"{what}: manifest", cancellationToken), response.ContentType);
    }

    /// <summary>
    /// The digests of the manifests referring to <paramref name="digest"/> (the OCI 1.1 referrers API); empty when the upstream
    /// has none or does not offer the API (registries without it answer 404, or refuse the path).
    /// </summary>
    public async Task<List<string>> ReferrersAsync(string digest, CancellationToken cancellationToken)
    {
        UpstreamResponse? response;
        try
        {
            response = await context.Upstream.TryOpenAsync(Url($"v2/{repository}/referrers/{digest}"), OciMediaTypes.ImageIndex, cancellationToken);
        }
        catch (UpstreamUnavailableException)
        {
            return []; // an upstream without the referrers API may answer 400 or 405: referrers are then carried by tags only
        }

        if (response is null)
        {
            return [];
        }

        await using (response)
        {
            var bytes = await ReadBoundedAsync(response, ManifestParser.MaxManifestBytes, $"{repository}: referrers of {digest}", cancellationToken);
            try
            {
                using var document = JsonDocument.Parse(bytes);
                if (!document.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
                {
                    return [];
                }

                var digests = new List<string>();
                foreach (var item in manifests.EnumerateArray().Take(MaxReferrers))
                {
                    if (item.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String && OciDigest.IsValid(d.GetString()))
                    {
                        digests.Add(d.GetString()!);
                    }
                }

                return digests;
            }
            catch (JsonException)
            {
                return []; // not the referrers API (an HTML page of a proxy, say)
            }
        }
    }

    private Uri Url(string relative) => new(context.Remote.BaseUrl, relative);

    private static async Task<byte[]> ReadBoundedAsync(UpstreamResponse response, int limit, string what, CancellationToken cancellationToken)
    {
        if (response.Length > limit)
        {
            throw new ManifestException($"{what} of {response.Length} bytes exceeds the limit of {limit} bytes");
        }

        using var buffer = new MemoryStream(response.Length is { } length ? (int)length : 16384);
        var chunk = new byte[81920];
        int read;
        while ((read = await response.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ManifestException($"{what} exceeds the limit of {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
