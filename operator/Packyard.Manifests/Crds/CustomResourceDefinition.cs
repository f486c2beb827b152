using k8s.Models;
using Packyard.Api.Resources;

namespace Packyard.Manifests.Crds;

/// <summary>An <c>apiextensions.k8s.io/v1</c> CustomResourceDefinition (the fields Packyard generates).</summary>
public sealed class CustomResourceDefinition
{
    public string ApiVersion { get; set; } = "apiextensions.k8s.io/v1";

    public string Kind { get; set; } = "CustomResourceDefinition";

    public V1ObjectMeta Metadata { get; set; } = new();

    public CustomResourceDefinitionSpec Spec { get; set; } = new();
}
