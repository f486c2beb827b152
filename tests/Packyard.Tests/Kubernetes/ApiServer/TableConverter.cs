using System.Globalization;
using System.Text.Json.Nodes;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>meta.k8s.io/v1 Table output (<c>kubectl get</c>) from a CRD's additionalPrinterColumns; Name and Age for built-ins.</summary>
public static class TableConverter
{
    public static JsonObject Convert(ServedResource resource, IEnumerable<JsonObject> items, JsonObject listMetadata, string? includeObject)
    {
        var columns = resource.PrinterColumns.Count > 0
            ? resource.PrinterColumns
            : [new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" }];
        var definitions = new JsonArray(new JsonObject
        {
            ["name"] = "Name",
            ["type"] = "string",
            ["format"] = "name",
            ["description"] = "Name must be unique within a namespace.",
            ["priority"] = 0,
        });
        foreach (var column in columns)
        {
            definitions.Add(new JsonObject
            {
                ["name"] = column["name"]!.GetValue<string>(),
                ["type"] = column["type"]!.GetValue<string>(),
                ["format"] = column["format"]?.GetValue<string>() ?? "",
                ["description"] = column["description"]?.GetValue<string>() ?? "",
                ["priority"] = column["priority"]?.DeepClone() ?? 0,
            });
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var cells = new JsonArray(JsonValue.Create(item["metadata"]?["name"]?.GetValue<string>() ?? ""));
            foreach (var column in columns)
            {
                cells.Add(Cell(item, column));
            }

            var row = new JsonObject { ["cells"] = cells };
            switch (includeObject)
            {
                case "None":
                    break;
                case "Object":
                    row["object"] = item.DeepClone();
                    break;
                default:
                    row["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = item["metadata"]?.DeepClone(),
                    };
                    break;
            }

            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata,
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    private static JsonNode? Cell(JsonObject item, JsonObject column)
    {
        var values = JsonPathLite.Evaluate(item, column["jsonPath"]!.GetValue<string>()).Where(v => v is not null).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        if (column["type"]?.GetValue<string>() == "date"
            && DateTimeOffset.TryParse(values[0]!.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return HumanDuration(DateTimeOffset.UtcNow - time);
        }

        return values.Count == 1 && values[0] is JsonValue ? values[0]!.DeepClone() : string.Join(",", values.Select(v => v!.ToString()));
    }

    /// <summary>k8s.io/apimachinery's duration.HumanDuration.</summary>
    public static string HumanDuration(TimeSpan age)
    {
        var seconds = (long)Math.Max(0, age.TotalSeconds);
        if (seconds < 120)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        }

        if (minutes < 180)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        var days = hours / 24;
        if (hours < 192)
        {
            return hours % 24 == 0 ? $"{days}d" : $"{days}d{hours % 24}h";
        }

        return $"{days}d";
    }
}
