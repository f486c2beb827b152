using Packyard.Api.Resources;

namespace Packyard.Kubernetes.Models;

/// <summary>A core v1 Namespace (cluster-scoped).</summary>
public sealed class Namespace
{
    public string ApiVersion { get; set; } = "v1";
    public string Kind { get; set; } = "Namespace";
    public ObjectMeta Metadata { get; set; } = new();
    public NamespaceStatus? Status { get; set; }
}
