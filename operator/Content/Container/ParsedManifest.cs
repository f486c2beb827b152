namespace Packyard.Content.Container;

/// <summary>
/// A manifest as read from its bytes: an image manifest or artifact (<see cref="Config"/> and <see cref="Layers"/>) or an index
/// (<see cref="Children"/>). <see cref="ArtifactType"/> is what the referrers API reports: the manifest's own artifactType, else
/// its config's media type.
/// </summary>
internal sealed record ParsedManifest(string MediaType, string Digest, long Size)
{
    public string? ArtifactType { get; init; }
    public OciDescriptor? Subject { get; init; }
    public OciDescriptor? Config { get; init; }
    public IReadOnlyList<OciDescriptor> Layers { get; init; } = [];
    public IReadOnlyList<OciDescriptor> Children { get; init; } = [];
    public Dictionary<string, string>? Annotations { get; init; }

    public bool IsIndex => OciMediaTypes.IsIndex(MediaType);

    /// <summary>The blobs the manifest needs (config and layers, without non-distributable ones).</summary>
    public IEnumerable<OciDescriptor> Blobs => (Config is null ? Layers : Layers.Prepend(Config)).Where(b => !b.HasUrls && !OciMediaTypes.IsForeignLayer(b.MediaType));
}
