using System.Text.Json.Serialization;
using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>Standard object metadata (the subset Packyard reads and writes).</summary>
public sealed class ObjectMeta
{
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public string? Uid { get; set; }
    public string? ResourceVersion { get; set; }
    public long? Generation { get; set; }
    public DateTimeOffset? CreationTimestamp { get; set; }
    public DateTimeOffset? DeletionTimestamp { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
    public List<string>? Finalizers { get; set; }
}

/// <summary>Common shape of the four Packyard kinds.</summary>
public abstract class PackyardResource<TSpec, TStatus>
    where TSpec : new()
    where TStatus : ResourceStatus, new()
{
    public string ApiVersion { get; set; } = PackyardGroup.ApiVersion;
    public abstract string Kind { get; set; }
    public ObjectMeta Metadata { get; set; } = new();

    [Required]
    public TSpec Spec { get; set; } = new();

    public TStatus? Status { get; set; }

    [JsonIgnore]
    public string Name => Metadata.Name ?? "";

    [JsonIgnore]
    public string Namespace => Metadata.Namespace ?? "default";
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
