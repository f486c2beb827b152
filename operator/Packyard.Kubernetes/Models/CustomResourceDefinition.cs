using System.Text.Json.Serialization;
using Packyard.Api.Resources;

namespace Packyard.Kubernetes.Models;

/// <summary>An <c>apiextensions.k8s.io/v1</c> CustomResourceDefinition (cluster-scoped).</summary>
public sealed class CustomResourceDefinition
{
    public string ApiVersion { get; set; } = "apiextensions.k8s.io/v1";
    public string Kind { get; set; } = "CustomResourceDefinition";
    public ObjectMeta Metadata { get; set; } = new();
    public CustomResourceDefinitionSpec Spec { get; set; } = new();
    public CustomResourceDefinitionStatus? Status { get; set; }

    /// <summary>True when the server reports the <c>Established</c> condition True (the kind is served).</summary>
    [JsonIgnore]
    public bool IsEstablished =>
        Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;
}
