using Packyard.Api.Resources;

namespace Packyard.Kubernetes.Models;

/// <summary>
/// An <c>authorization.k8s.io/v1</c> SubjectAccessReview (cluster-scoped, create only): may this user do this verb on
/// this resource? The namespace goes in <see cref="ResourceAttributes.Namespace"/>; the answer is in <see cref="Status"/>.
/// </summary>
public sealed class SubjectAccessReview
{
    public string ApiVersion { get; set; } = "authorization.k8s.io/v1";
    public string Kind { get; set; } = "SubjectAccessReview";
    public ObjectMeta Metadata { get; set; } = new();
    public SubjectAccessReviewSpec Spec { get; set; } = new();
    public SubjectAccessReviewStatus? Status { get; set; }
}
