namespace Packyard.Content.Container;

/// <summary>
/// A manifest unit's metadata (content_units.metadata). <see cref="Blobs"/> and <see cref="Manifests"/> are the digests it
/// references (config and layers; index children with their platforms), so a promotion or a pull-through can carry what a
/// tag needs; <see cref="Subject"/>, <see cref="ArtifactType"/> and <see cref="Annotations"/> feed the referrers API.
/// </summary>
internal sealed record OciManifestMetadata(string Digest, string MediaType, long Size)
{
    public string? ArtifactType { get; init; }
    public string? Subject { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
    public List<string>? Blobs { get; init; }
    public List<ManifestChild>? Manifests { get; init; }

    public static OciManifestMetadata From(ParsedManifest manifest) =>
        new(manifest.Digest, manifest.MediaType, manifest.Size)
        {
            ArtifactType = manifest.ArtifactType,
            Subject = manifest.Subject?.Digest,
            Annotations = manifest.Annotations,
            Blobs = manifest.IsIndex ? null : manifest.Blobs.Select(b => b.Digest).Distinct(StringComparer.Ordinal).ToList(),
            Manifests = manifest.IsIndex ? manifest.Children.Select(c => new ManifestChild(c.Digest, c.MediaType, c.Size, c.Platform?.ToString())).ToList() : null,
        };
}

/// <summary>An index child as its index lists it.</summary>
internal sealed record ManifestChild(string Digest, string MediaType, long Size, string? Platform);

/// <summary>A tag unit's metadata: the manifest it points to.</summary>
internal sealed record TagMetadata(string Tag, string Digest, string MediaType, long Size);

/// <summary>A blob unit's metadata.</summary>
internal sealed record BlobMetadata(string Digest, long Size);
