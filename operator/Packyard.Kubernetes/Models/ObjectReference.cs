namespace Packyard.Kubernetes.Models;

/// <summary>core/v1 ObjectReference, as used by <see cref="Event.Regarding"/>.</summary>
public sealed class ObjectReference
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public string? Namespace { get; set; }
    public string? Name { get; set; }
    public string? Uid { get; set; }
    public string? ResourceVersion { get; set; }
    public string? FieldPath { get; set; }
}
