using Packyard.Api.Resources;

namespace Packyard.Kubernetes.Models;

/// <summary>
/// An <c>authentication.k8s.io/v1</c> TokenReview (cluster-scoped, create only): the API server says whether a bearer
/// token is valid and whose it is. Nothing is stored; the answer is in <see cref="Status"/>.
/// </summary>
public sealed class TokenReview
{
    public string ApiVersion { get; set; } = "authentication.k8s.io/v1";
    public string Kind { get; set; } = "TokenReview";
    public ObjectMeta Metadata { get; set; } = new();
    public TokenReviewSpec Spec { get; set; } = new();
    public TokenReviewStatus? Status { get; set; }
}
