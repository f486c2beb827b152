using System.Text.Json;

namespace Packyard.Content.Container;

/// <summary>
/// Reads manifest bytes: checks the digest they must have, the media type (OCI image manifest or index, Docker schema 2 manifest
/// or list, any OCI artifact; Docker schema 1 refused) and every digest inside (sha256 only). Throws
/// <see cref="ManifestException"/> naming the manifest and what is wrong.
/// </summary>
internal static class ManifestParser
{
    /// <summary>Largest manifest read (the reference registry's own limit is 4 MiB).</summary>
    public const int MaxManifestBytes = 4 << 20;

    /// <summary>Most descriptors (layers or index children) one manifest may list.</summary>
    public const int MaxDescriptors = 10_000;

    /// <param name="bytes">The manifest exactly as served.</param>
    /// <param name="expectedDigest">The digest it was asked for by, or null when asked for by tag.</param>
    /// <param name="contentType">The Content-Type it was served with, used when the body names no media type.</param>
    /// <param name="what">Names the manifest in messages (e.g. <c>library/app:1.0</c>).</param>
    public static ParsedManifest Parse(ReadOnlySpan<byte> bytes, string? expectedDigest, string? contentType, string what)
    {
        if (bytes.Length > MaxManifestBytes)
        {
            throw new ManifestException($"{what}: manifest of {bytes.Length} bytes exceeds the limit of {MaxManifestBytes} bytes");
        }

        var digest = OciDigest.Of(bytes);
        if (expectedDigest is not null && digest != expectedDigest)
        {
            throw new ArtifactDigestException($"{what}: manifest digest mismatch: asked for {expectedDigest}, the upstream's bytes have {digest}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new ManifestException($"{what}: manifest is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ManifestException($"{what}: manifest is not a JSON object");
            }

            var schemaVersion = root.TryGetProperty("schemaVersion", out var version) && version.TryGetInt32(out var number) ? number : (int?)null;
            var declared = String(root, "mediaType");
            var served = contentType?.Split(';')[0].Trim();
            if (schemaVersion == 1 || OciMediaTypes.IsSchema1(declared) || OciMediaTypes.IsSchema1(served))
            {
                throw new ManifestException($"{what}: Docker image manifest schema 1 is not supported (deprecated since 2017; push the image again with a current client to get schema 2 or OCI)");
            }

            if (schemaVersion != 2)
            {
                throw new ManifestException($"{what}: manifest schemaVersion must be 2");
            }

            var mediaType = declared
                ?? (root.TryGetProperty("manifests", out _) ? OciMediaTypes.ImageIndex
                    : root.TryGetProperty("config", out _) ? OciMediaTypes.ImageManifest
                    : served);
            if (mediaType is null || !(OciMediaTypes.IsIndex(mediaType) || OciMediaTypes.IsManifest(mediaType)))
            {
                throw new ManifestException($"{what}: unsupported manifest media type '{mediaType ?? "(none)"}' (supported: {OciMediaTypes.ManifestAccept})");
            }

            var manifest = new ParsedManifest(mediaType, digest, bytes.Length)
            {
                Subject = root.TryGetProperty("subject", out var subject) ? Descriptor(subject, what, "subject") : null,
                Annotations = Annotations(root),
            };

            if (OciMediaTypes.IsIndex(mediaType))
            {
                return manifest with
                {
                    ArtifactType = String(root, "artifactType"),
                    Children = Descriptors(root, "manifests", what, required: true),
                };
            }

            if (!root.TryGetProperty("config", out var configElement))
            {
                throw new ManifestException($"{what}: image manifest has no config");
            }

            var config = Descriptor(configElement, what, "config");
            return manifest with
            {
                Config = config,
                Layers = Descriptors(root, "layers", what, required: false),
                ArtifactType = String(root, "artifactType") ?? config.MediaType,
            };
        }
    }

    private static IReadOnlyList<OciDescriptor> Descriptors(JsonElement root, string property, string what, bool required)
    {
        if (!root.TryGetProperty(property, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new ManifestException($"{what}: manifest has no '{property}'") : [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new ManifestException($"{what}: '{property}' is not an array");
        }

        if (array.GetArrayLength() > MaxDescriptors)
        {
            throw new ManifestException($"{what}: '{property}' lists more than {MaxDescriptors} entries");
        }

        var list = new List<OciDescriptor>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            list.Add(Descriptor(item, what, $"{property}[{index++}]"));
        }

        return list;
    }

    private static OciDescriptor Descriptor(JsonElement element, string what, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ManifestException($"{what}: {where} is not a descriptor object");
        }

        var digest = String(element, "digest");
        if (OciDigest.Problem(digest) is { } problem)
        {
            throw new ManifestException($"{what}: {where}: {problem}");
        }

        if (!element.TryGetProperty("size", out var sizeElement) || !sizeElement.TryGetInt64(out var size) || size < 0)
        {
            throw new ManifestException($"{what}: {where} ({digest}) has no valid size");
        }

        OciPlatform? platform = null;
        if (element.TryGetProperty("platform", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            platform = new OciPlatform(String(p, "os") ?? "", String(p, "architecture") ?? "", String(p, "variant"));
        }

        return new OciDescriptor(String(element, "mediaType") ?? "application/octet-stream", digest!, size)
        {
            Platform = platform,
            ArtifactType = String(element, "artifactType"),
            Annotations = Annotations(element),
            HasUrls = element.TryGetProperty("urls", out var urls) && urls.ValueKind == JsonValueKind.Array && urls.GetArrayLength() > 0,
        };
    }

    private static Dictionary<string, string>? Annotations(JsonElement element)
    {
        if (!element.TryGetProperty("annotations", out var annotations) || annotations.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in annotations.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String && map.Count < 256)
            {
                map[property.Name] = property.Value.GetString()!;
            }
        }

        return map;
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
