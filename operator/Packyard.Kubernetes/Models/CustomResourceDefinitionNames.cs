namespace Packyard.Kubernetes.Models;

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionNames.</summary>
public sealed class CustomResourceDefinitionNames
{
    public string Plural { get; set; } = "";
    public string? Singular { get; set; }
    public string Kind { get; set; } = "";
    public string? ListKind { get; set; }
    public List<string>? ShortNames { get; set; }
    public List<string>? Categories { get; set; }
}
