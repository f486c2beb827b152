namespace Packyard.Kubernetes.Models;

/// <summary>metav1.StatusCause: one field error (reason FieldValueRequired, FieldValueNotSupported, …).</summary>
public sealed class StatusCause
{
    public string? Reason { get; set; }
    public string? Message { get; set; }
    public string? Field { get; set; }
}
