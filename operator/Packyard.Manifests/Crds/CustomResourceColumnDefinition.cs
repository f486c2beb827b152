namespace Packyard.Manifests.Crds;

/// <summary>A <c>kubectl get</c> column.</summary>
public sealed class CustomResourceColumnDefinition
{
    public string Name { get; set; } = "";

    public string Type { get; set; } = "";

    public string JsonPath { get; set; } = "";

    public string? Description { get; set; }

    /// <summary>Null for 0 (shown by default); 1 and above only with <c>-o wide</c>.</summary>
    public int? Priority { get; set; }
}
