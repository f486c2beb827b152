namespace Packyard.Kubernetes.Models;

/// <summary>authentication.k8s.io/v1 TokenReviewStatus.</summary>
public sealed class TokenReviewStatus
{
    public bool Authenticated { get; set; }
    public UserInfo? User { get; set; }

    /// <summary>The audiences the token is valid for (a subset of the requested ones).</summary>
    public List<string>? Audiences { get; set; }

    /// <summary>Why the token could not be checked (not why it was rejected).</summary>
    public string? Error { get; set; }
}
