namespace Packyard.Kubernetes.Models;

/// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitionStatus.</summary>
public sealed class CustomResourceDefinitionStatus
{
    /// <summary><c>Established</c>, <c>NamesAccepted</c>, <c>Terminating</c>, …</summary>
    public List<CustomResourceDefinitionCondition>? Conditions { get; set; }

    public CustomResourceDefinitionNames? AcceptedNames { get; set; }

    /// <summary>Every version ever persisted in storage.</summary>
    public List<string>? StoredVersions { get; set; }
}
