namespace Packyard.Content.Container;

/// <summary>An OCI content descriptor as a manifest lists it: what it points to, and for an index child its platform.</summary>
internal sealed record OciDescriptor(string MediaType, string Digest, long Size)
{
    public OciPlatform? Platform { get; init; }
    public string? ArtifactType { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }

    /// <summary>True when the descriptor names URLs to fetch it from instead of the registry (a non-distributable layer).</summary>
    public bool HasUrls { get; init; }
}

/// <summary>An index child's platform.</summary>
internal sealed record OciPlatform(string Os, string Architecture, string? Variant)
{
    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
