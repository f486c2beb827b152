using System.Text.Json;

namespace Packyard.Content.Container;

/// <summary>
/// Publishes what the OCI read API serves from a version: every manifest at <c>manifests/sha256:…</c> with its own media type
/// (its stored bytes, not copied), <see cref="ContainerContentType.TagsFile"/> (tags in ordinal order with their manifests), and for
/// each manifest that others refer to, <c>referrers/sha256:…</c>, the OCI 1.1 image index of its referrers. Blobs are served
/// pass-through at <c>blobs/sha256:…</c>.
/// </summary>
internal sealed class ContainerPublisher : IPublisher
{
    public const string TagsMediaType = "application/json";

    public bool PassThrough => true;

    public async Task PublishAsync(PublishContext context, CancellationToken cancellationToken)
    {
        var manifests = new Dictionary<string, OciManifestMetadata>(StringComparer.Ordinal);
        var tags = new List<TagMetadata>();
        await foreach (var unit in context.ReadContentAsync(cancellationToken))
        {
            if (unit.Artifacts.Count == 0)
            {
                // Tags are the only units without an artifact.
                if (JsonSerializer.Deserialize(unit.MetadataJson, ContainerJsonContext.Default.TagMetadata) is { Tag: not null, Digest: not null } tag)
                {
                    tags.Add(tag);
                }

                continue;
            }

            if (unit.Artifacts.FirstOrDefault(a => a.RelativePath.StartsWith("manifests/", StringComparison.Ordinal)) is not { } artifact
                || JsonSerializer.Deserialize(unit.MetadataJson, ContainerJsonContext.Default.OciManifestMetadata) is not { } manifest)
            {
                continue;
            }

            manifests[manifest.Digest] = manifest;
            context.AddStoredFile(new PublishedFile(artifact.RelativePath, artifact.Sha256, artifact.Size ?? manifest.Size, manifest.MediaType));
        }

        // A tag whose manifest is not in the version (an inconsistent promotion, say) is not served.
        tags.RemoveAll(t => !manifests.ContainsKey(t.Digest));
        tags.Sort((a, b) => string.CompareOrdinal(a.Tag, b.Tag));
        var index = new TagIndex(tags);
        await context.AddFileAsync(ContainerContentType.TagsFile, TagsMediaType,
            (output, token) => JsonSerializer.SerializeAsync(output, index, ContainerJsonContext.Default.TagIndex, token), cancellationToken);

        foreach (var group in manifests.Values.Where(m => m.Subject is not null).GroupBy(m => m.Subject!, StringComparer.Ordinal))
        {
            var referrers = group.OrderBy(m => m.Digest, StringComparer.Ordinal).ToList();
            await context.AddFileAsync(ContainerContentType.ReferrersPath(group.Key), OciMediaTypes.ImageIndex,
                (output, token) => WriteReferrersAsync(output, referrers, artifactType: null, token), cancellationToken);
        }
    }

    /// <summary>An OCI 1.1 referrers answer: an image index of descriptors with artifactType and annotations.</summary>
    internal static async Task WriteReferrersAsync(Stream output, IEnumerable<OciManifestMetadata> referrers, string? artifactType, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteNumber("schemaVersion", 2);
        json.WriteString("mediaType", OciMediaTypes.ImageIndex);
        json.WriteStartArray("manifests");
        foreach (var referrer in referrers)
        {
            if (artifactType is not null && referrer.ArtifactType != artifactType)
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteString("mediaType", referrer.MediaType);
            json.WriteString("digest", referrer.Digest);
            json.WriteNumber("size", referrer.Size);
            if (referrer.ArtifactType is not null)
            {
                json.WriteString("artifactType", referrer.ArtifactType);
            }

            if (referrer.Annotations is { Count: > 0 } annotations)
            {
                json.WriteStartObject("annotations");
                foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }
}
