namespace Packyard.Content.Container;

/// <summary>The manifest media types the OCI image spec and Docker's schema 2 define, and the Accept header asking for all of them.</summary>
internal static class OciMediaTypes
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string DockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// <summary>Every manifest type Packyard keeps, index types first (a registry answers a multi-platform tag with its index).</summary>
    public const string ManifestAccept = ImageIndex + ", " + DockerManifestList + ", " + ImageManifest + ", " + DockerManifest;

    public static bool IsIndex(string mediaType) => mediaType is ImageIndex or DockerManifestList;

    public static bool IsManifest(string mediaType) => mediaType is ImageManifest or DockerManifest;

    public static bool IsSchema1(string? mediaType) => mediaType is DockerSchema1 or DockerSchema1Signed;

    /// <summary>A Docker layer that must be fetched from its own URLs, never from a registry (Windows base layers).</summary>
    public static bool IsForeignLayer(string mediaType) =>
        mediaType.StartsWith("application/vnd.docker.image.rootfs.foreign.", StringComparison.Ordinal)
        || mediaType.StartsWith("application/vnd.oci.image.layer.nondistributable.", StringComparison.Ordinal);
}
