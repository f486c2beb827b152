namespace Packyard.Kubernetes.Models;

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionSpec.</summary>
public sealed class CustomResourceDefinitionSpec
{
    public string Group { get; set; } = "";
    public CustomResourceDefinitionNames Names { get; set; } = new();

    /// <summary><c>Namespaced</c> or <c>Cluster</c>.</summary>
    public string Scope { get; set; } = "Namespaced";

    public List<CustomResourceDefinitionVersion> Versions { get; set; } = [];
}
