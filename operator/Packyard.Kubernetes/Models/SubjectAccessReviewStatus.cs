namespace Packyard.Kubernetes.Models;

/// <summary>
/// authorization.k8s.io/v1 SubjectAccessReviewStatus. <see cref="Allowed"/> false with <see cref="Denied"/> false means
/// no authorizer had an opinion (still a refusal); <see cref="Denied"/> true is an explicit refusal.
/// </summary>
public sealed class SubjectAccessReviewStatus
{
    public bool Allowed { get; set; }
    public bool? Denied { get; set; }
    public string? Reason { get; set; }
    public string? EvaluationError { get; set; }
}
