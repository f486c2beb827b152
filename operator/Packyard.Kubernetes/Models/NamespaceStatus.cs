namespace Packyard.Kubernetes.Models;

/// <summary>core v1 NamespaceStatus.</summary>
public sealed class NamespaceStatus
{
    /// <summary><c>Active</c> or <c>Terminating</c>.</summary>
    public string? Phase { get; set; }
}
