using k8s;
using k8s.Models;

namespace Packyard.Api.Resources;

/// <summary>A core v1 Secret as it appears in manifests: <c>data</c> is base64, <c>stringData</c> is plain.</summary>
public sealed class Secret : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "v1";
    public string Kind { get; set; } = "Secret";
    public V1ObjectMeta Metadata { get; set; } = new();
    public string? Type { get; set; }
    public Dictionary<string, string>? Data { get; set; }
    public Dictionary<string, string>? StringData { get; set; }

    /// <summary>All entries decoded, stringData winning over data as the API server does.</summary>
    public Dictionary<string, byte[]> DecodedEntries()
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in Data ?? [])
        {
            result[key] = Convert.FromBase64String(value);
        }

        foreach (var (key, value) in StringData ?? [])
        {
            result[key] = System.Text.Encoding.UTF8.GetBytes(value);
        }

        return result;
    }
}
