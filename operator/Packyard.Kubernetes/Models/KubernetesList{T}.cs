namespace Packyard.Kubernetes.Models;

/// <summary>A typed list (<c>RemoteList</c>, <c>SecretList</c>, …): one page of a list call.</summary>
public sealed class KubernetesList<T>
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public ListMeta Metadata { get; set; } = new();
    public List<T> Items { get; set; } = [];
}
