namespace Packyard.Kubernetes.Models;

/// <summary>authorization.k8s.io/v1 ResourceAttributes: the request being authorised.</summary>
public sealed class ResourceAttributes
{
    public string? Namespace { get; set; }
    public string? Verb { get; set; }
    public string? Group { get; set; }
    public string? Version { get; set; }
    public string? Resource { get; set; }
    public string? Subresource { get; set; }
    public string? Name { get; set; }
}
