namespace Packyard.Kubernetes.Models;

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionCondition (status is the string True, False or Unknown).</summary>
public sealed class CustomResourceDefinitionCondition
{
    public string Type { get; set; } = "";
    public string Status { get; set; } = "";
    public DateTimeOffset? LastTransitionTime { get; set; }
    public string? Reason { get; set; }
    public string? Message { get; set; }
}
