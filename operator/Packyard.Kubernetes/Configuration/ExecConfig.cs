namespace Packyard.Kubernetes.Configuration;

/// <summary>A kubeconfig <c>user.exec</c> credential plugin.</summary>
public sealed record ExecConfig
{
    public required string Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string ApiVersion { get; init; } = "client.authentication.k8s.io/v1";

    /// <summary>Folder of the kubeconfig; a relative command with a slash is resolved against it, as kubectl does.</summary>
    public string? BaseDirectory { get; init; }
}
