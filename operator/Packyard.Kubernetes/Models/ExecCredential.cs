namespace Packyard.Kubernetes.Models;

/// <summary>client.authentication.k8s.io ExecCredential: what an exec credential plugin prints (and receives in KUBERNETES_EXEC_INFO).</summary>
public sealed class ExecCredential
{
    public string ApiVersion { get; set; } = "client.authentication.k8s.io/v1";
    public string Kind { get; set; } = "ExecCredential";
    public ExecCredentialSpec? Spec { get; set; }
    public ExecCredentialStatus? Status { get; set; }
}
