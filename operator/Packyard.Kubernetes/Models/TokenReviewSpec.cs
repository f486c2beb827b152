namespace Packyard.Kubernetes.Models;

/// <summary>authentication.k8s.io/v1 TokenReviewSpec.</summary>
public sealed class TokenReviewSpec
{
    /// <summary>The opaque bearer token to check.</summary>
    public string? Token { get; set; }

    /// <summary>Audiences the token must be valid for; empty means the API server's own.</summary>
    public List<string>? Audiences { get; set; }
}
