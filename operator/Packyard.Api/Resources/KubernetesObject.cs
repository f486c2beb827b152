using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>
/// Common shape of the four Packyard kinds. Their metadata is the KubernetesClient library's <see cref="V1ObjectMeta"/>
/// and they are <see cref="IKubernetesObject{TMetadata}"/>s, as KubeOps' entities are: the controller runtime is then generic
/// over <c>IKubernetesObject&lt;V1ObjectMeta&gt;</c> (the same informer serves these kinds and the library's V1Secret) and
/// needs no reference to this project, while Packyard.Api needs only the library's models, not the runtime. A Packyard
/// ObjectMeta of its own would make the runtime depend on Packyard.Api, or need a copy at every boundary. Source-generated
/// JSON reads and writes V1ObjectMeta by its JSON names (<c>namespace</c> is NamespaceProperty in C#), so manifests
/// (standalone mode) and the API server see the same documents as before.
/// </summary>
public abstract class PackyardResource<TSpec, TStatus> : IKubernetesObject<V1ObjectMeta>
    where TSpec : new()
    where TStatus : ResourceStatus, new()
{
    public string ApiVersion { get; set; } = PackyardGroup.ApiVersion;
    public abstract string Kind { get; set; }
    public V1ObjectMeta Metadata { get; set; } = new();

    [Required]
    public TSpec Spec { get; set; } = new();

    public TStatus? Status { get; set; }

    [JsonIgnore]
    public string Name => Metadata.Name ?? "";

    [JsonIgnore]
    public string Namespace => Metadata.NamespaceProperty ?? "default";
}

/// <summary>Status fields every kind has.</summary>
public abstract class ResourceStatus
{
    [Description("The generation most recently reconciled to Ready or Stalled.")]
    public long? ObservedGeneration { get; set; }

    [Description("Ready, Reconciling and Stalled, following kstatus.")]
    public List<Condition>? Conditions { get; set; }

    [Description("The last value of the packyard.io/requested-at annotation that was handled.")]
    public string? LastHandledRequest { get; set; }
}

/// <summary>metav1.Condition.</summary>
public sealed class Condition
{
    [Required] public string Type { get; set; } = "";
    [Required] public ConditionStatus Status { get; set; }
    public long? ObservedGeneration { get; set; }
    [Required] public DateTimeOffset LastTransitionTime { get; set; }
    [Required] public string Reason { get; set; } = "";
    [Required] public string Message { get; set; } = "";
}

[JsonConverter(typeof(JsonStringEnumConverter<ConditionStatus>))]
public enum ConditionStatus
{
    True,
    False,
    Unknown,
}

/// <summary>A reference to an object of a known kind in the same namespace.</summary>
public sealed record LocalObjectReference
{
    [Required, MinLength(1)]
    public string Name { get; set; } = "";
}

/// <summary>A Secret in the same namespace and, optionally, one key of it (omit when the Secret has a single entry).</summary>
public sealed record SecretReference
{
    [Required, MinLength(1)]
    public string Name { get; set; } = "";

    public string? Key { get; set; }
}
