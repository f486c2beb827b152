using System.Text.Json.Serialization;
using Packyard.Api.Resources;

namespace Packyard.Standalone;

/// <summary>A resource and its status, as <c>GET /api/v1/resources</c> returns it (<see cref="ResourceViewConverter"/>: <c>status</c> flat).</summary>
[JsonConverter(typeof(ResourceViewConverter))]
public sealed record ResourceView(string Kind, string Namespace, string Name, long Generation, string? Error, ResourceStatusView Status)
{
    /// <summary>The manifest file the resource is read from (what <c>packyard promote</c> edits).</summary>
    public string? File { get; init; }

    /// <summary>The line its document starts on.</summary>
    public int? Line { get; init; }
}

/// <summary>The status of any kind (exactly one of the fields is set); in JSON the status object itself.</summary>
public sealed record ResourceStatusView(RemoteStatus? Remote, RepositoryStatus? Repository, DistributionStatus? Distribution, PromotionStatus? Promotion);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(List<ResourceView>))] // GET /api/v1/resources
[JsonSerializable(typeof(RemoteStatus))]
[JsonSerializable(typeof(RepositoryStatus))]
[JsonSerializable(typeof(DistributionStatus))]
[JsonSerializable(typeof(PromotionStatus))]
internal sealed partial class StandaloneJsonContext : JsonSerializerContext;
