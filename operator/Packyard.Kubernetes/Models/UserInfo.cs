namespace Packyard.Kubernetes.Models;

/// <summary>authentication.k8s.io/v1 UserInfo: who a token belongs to.</summary>
public sealed class UserInfo
{
    public string? Username { get; set; }
    public string? Uid { get; set; }
    public List<string>? Groups { get; set; }
    public Dictionary<string, List<string>>? Extra { get; set; }
}
