using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Packyard.Kubernetes.Models;

/// <summary>apiextensions.k8s.io/v1 CustomResourceValidation.</summary>
public sealed class CustomResourceValidation
{
    [JsonPropertyName("openAPIV3Schema")]
    public JsonObject? OpenApiV3Schema { get; set; }
}
