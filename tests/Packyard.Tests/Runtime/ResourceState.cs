using System.Text.Json.Nodes;

namespace Packyard.Tests.Runtime;

/// <summary>A resource's generation and status as one mode shows it.</summary>
public sealed record ResourceState(long? Generation, JsonNode? Status)
{
    public JsonNode? Condition(string type) => (Status?["conditions"] as JsonArray)?.FirstOrDefault(c => (string?)c!["type"] == type);

    /// <summary>Ready=True for the current generation.</summary>
    public bool IsReady => Condition("Ready") is { } ready && (string?)ready["status"] == "True" && (long?)ready["observedGeneration"] == Generation;

    public long? Long(string field) => (long?)Status?[field];

    public override string ToString() => $"generation {Generation}, status {Status?.ToJsonString() ?? "(none)"}";
}
