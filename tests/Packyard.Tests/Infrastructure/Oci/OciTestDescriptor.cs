namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>An OCI content descriptor as written in a manifest or index: media type, digest (<c>sha256:…</c>) and size.</summary>
public sealed record OciTestDescriptor(string MediaType, string Digest, long Size)
{
    /// <summary>The hex part of <see cref="Digest"/>.</summary>
    public string Hex => Digest[(Digest.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
