using System.Text.Json;

namespace Packyard.Content.Container;

/// <summary>The content units of the container type (<see cref="ContainerContentType"/>) as a push declares them.</summary>
internal static class ContainerUnits
{
    public static DeclaredContent Blob(string digest, long size) =>
        new(ContainerContentType.BlobKey(digest), ContainerContentType.BlobKey(digest), digest, Version: null,
            JsonSerializer.Serialize(new BlobMetadata(digest, size), ContainerJsonContext.Default.BlobMetadata),
            [new DeclaredArtifact(ContainerContentType.BlobPath(digest), OciDigest.Hex(digest), size, Url: null)]);

    public static DeclaredContent Manifest(ParsedManifest manifest) =>
        new(ContainerContentType.ManifestKey(manifest.Digest), ContainerContentType.ManifestKey(manifest.Digest), manifest.Digest, Version: null,
            JsonSerializer.Serialize(OciManifestMetadata.From(manifest), ContainerJsonContext.Default.OciManifestMetadata),
            [new DeclaredArtifact(ContainerContentType.ManifestPath(manifest.Digest), OciDigest.Hex(manifest.Digest), manifest.Size, Url: null)]);

    public static DeclaredContent Tag(string tag, ParsedManifest manifest) =>
        new(ContainerContentType.TagNaturalKey(tag, manifest.Digest), ContainerContentType.TagRepoKey(tag), tag, Version: null,
            JsonSerializer.Serialize(new TagMetadata(tag, manifest.Digest, manifest.MediaType, manifest.Size), ContainerJsonContext.Default.TagMetadata), []);
}
