namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// The media types the OCI fixtures write and tests compare against (named apart from the container type's own
/// <c>OciMediaTypes</c>, so a test can import both namespaces).
/// </summary>
public static class OciTestMediaTypes
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string Empty = "application/vnd.oci.empty.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string CosignSimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json";

    /// <summary>An Accept header for every manifest kind above.</summary>
    public const string AcceptManifests = ImageManifest + ", " + ImageIndex + ", " + DockerManifest + ", " + DockerManifestList;
}
