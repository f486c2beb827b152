namespace Packyard.Kubernetes.Models;

/// <summary>metav1.DeleteOptions (the fields Packyard sets).</summary>
public sealed class DeleteOptions
{
    public string ApiVersion { get; set; } = "v1";
    public string Kind { get; set; } = "DeleteOptions";

    /// <summary><c>Orphan</c>, <c>Background</c> or <c>Foreground</c>.</summary>
    public string? PropagationPolicy { get; set; }

    public long? GracePeriodSeconds { get; set; }
}
