namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// A manifest or index the test built (and maybe pushed): its exact bytes, digest and media type, the config and layer
/// descriptors of an image, the per-platform children of an index (<see cref="Platform"/> is <c>os/architecture</c>), and for an
/// artifact its <see cref="ArtifactType"/> and <see cref="Subject"/>. After a push with a format conversion (Docker schema 2),
/// the pushed manifest differs from the layout's: <see cref="OciImageBuilder.PushAsync"/> returns the pushed one.
/// </summary>
public sealed record OciImage(string Digest, string MediaType, byte[] Manifest)
{
    public OciTestDescriptor? Config { get; init; }

    public IReadOnlyList<OciTestDescriptor> Layers { get; init; } = [];

    /// <summary>An index's manifests, in index order.</summary>
    public IReadOnlyList<OciImage> Children { get; init; } = [];

    /// <summary><c>linux/amd64</c>, <c>linux/arm64</c>… for an image that is (or will be) a child of an index.</summary>
    public string? Platform { get; init; }

    public string? ArtifactType { get; init; }

    /// <summary>The manifest this artifact refers to (OCI 1.1 <c>subject</c>).</summary>
    public OciTestDescriptor? Subject { get; init; }

    /// <summary>Sum of the layer sizes (compressed), for throughput figures.</summary>
    public long LayerBytes => Layers.Sum(l => l.Size);

    public OciTestDescriptor Descriptor => new(MediaType, Digest, Manifest.LongLength);

    /// <summary>The hex part of <see cref="Digest"/>.</summary>
    public string Hex => Digest[(Digest.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
