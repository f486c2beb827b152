namespace Packyard.Kubernetes.Models;

/// <summary>What the client tells an exec plugin.</summary>
public sealed class ExecCredentialSpec
{
    public bool Interactive { get; set; }
}
