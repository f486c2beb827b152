namespace Packyard.Kubernetes.Models;

/// <summary>authorization.k8s.io/v1 NonResourceAttributes (URLs such as <c>/healthz</c>).</summary>
public sealed class NonResourceAttributes
{
    public string? Path { get; set; }
    public string? Verb { get; set; }
}
