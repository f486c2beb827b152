using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// The JSONPath subset printer columns use: <c>.a.b</c>, <c>.a[0]</c>, <c>.a[*]</c> and
/// <c>.a[?(@.type=="Ready")].status</c>. Returns every match.
/// </summary>
public static partial class JsonPathLite
{
    public static IReadOnlyList<JsonNode?> Evaluate(JsonNode? root, string path)
    {
        IEnumerable<JsonNode?> current = [root];
        foreach (Match step in StepPattern().Matches(path))
        {
            if (step.Groups["field"].Success)
            {
                var field = step.Groups["field"].Value;
                current = current.Select(node => node is JsonObject o && o.TryGetPropertyValue(field, out var v) ? v : null)
                    .Where(node => node is not null).ToList();
            }
            else if (step.Groups["filterField"].Success)
            {
                var field = step.Groups["filterField"].Value;
                var value = step.Groups["filterValue"].Value;
                current = current.OfType<JsonArray>().SelectMany(array => array)
                    .Where(item => item is JsonObject o && o[field]?.ToString() == value).ToList();
            }
            else if (step.Groups["index"].Success)
            {
                var index = step.Groups["index"].Value;
                current = current.OfType<JsonArray>().SelectMany(array => index == "*"
                    ? array.AsEnumerable()
                    : int.Parse(index, System.Globalization.CultureInfo.InvariantCulture) < array.Count
                        ? [array[int.Parse(index, System.Globalization.CultureInfo.InvariantCulture)]]
                        : []).ToList();
            }
        }

        return current.ToList();
    }

    [GeneratedRegex("""\.(?<field>[A-Za-z0-9_\-]+)|\[\?\(@\.(?<filterField>[A-Za-z0-9_]+)\s*==\s*["'](?<filterValue>[^"']*)["']\)\]|\[(?<index>\*|\d+)\]""")]
    private static partial Regex StepPattern();
}
