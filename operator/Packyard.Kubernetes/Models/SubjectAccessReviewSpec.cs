namespace Packyard.Kubernetes.Models;

/// <summary>authorization.k8s.io/v1 SubjectAccessReviewSpec: exactly one of the attribute blocks, and the subject.</summary>
public sealed class SubjectAccessReviewSpec
{
    public ResourceAttributes? ResourceAttributes { get; set; }
    public NonResourceAttributes? NonResourceAttributes { get; set; }
    public string? User { get; set; }
    public List<string>? Groups { get; set; }
    public Dictionary<string, List<string>>? Extra { get; set; }
    public string? Uid { get; set; }
}
