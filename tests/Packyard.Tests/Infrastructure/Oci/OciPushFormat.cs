namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>The manifest format skopeo writes to the registry (<c>--format</c>).</summary>
public enum OciPushFormat
{
    /// <summary>OCI image manifest / OCI index, as built.</summary>
    Oci,

    /// <summary>Docker image manifest v2 schema 2 / manifest list (<c>--format v2s2</c>): new manifest digests, same layer blobs.</summary>
    DockerSchema2,
}
