using System.Text.Json.Nodes;

namespace Packyard.ControllerRuntime;

/// <summary>
/// Computes the RFC 7386 JSON merge patch that turns one document into another: changed members are set, removed
/// members are set to null, objects are diffed member by member and arrays are replaced whole (merge patch has no
/// array operations).
/// </summary>
public static class MergePatchDiff
{
    /// <summary>The patch from <paramref name="before"/> to <paramref name="after"/>, or null when they are equal.</summary>
    public static JsonNode? Create(JsonNode? before, JsonNode? after)
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return null;
        }

        if (before is not JsonObject old || after is not JsonObject current)
        {
            return after?.DeepClone() ?? JsonValue.Create((string?)null);
        }

        var patch = new JsonObject();
        foreach (var (name, value) in current)
        {
            if (!old.TryGetPropertyValue(name, out var previous))
            {
                patch[name] = value?.DeepClone();
            }
            else if (!JsonNode.DeepEquals(previous, value))
            {
                // A null value (or a changed scalar or array) is written as is; objects recurse.
                patch[name] = value is null ? null : Create(previous, value);
            }
        }

        foreach (var (name, _) in old)
        {
            if (!current.ContainsKey(name))
            {
                patch[name] = null;
            }
        }

        return patch;
    }
}
