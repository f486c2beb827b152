using Packyard.Api.Resources;

namespace Packyard.Kubernetes.Models;

/// <summary>A <c>coordination.k8s.io/v1</c> Lease (leader election).</summary>
public sealed class Lease
{
    public string ApiVersion { get; set; } = "coordination.k8s.io/v1";
    public string Kind { get; set; } = "Lease";
    public ObjectMeta Metadata { get; set; } = new();
    public LeaseSpec? Spec { get; set; }
}
