using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Packyard.Tests.Kubernetes.ApiServer;

/// <summary>
/// Structural-schema handling of a custom resource as the API server does it, in its order: prune unknown fields
/// (collecting their paths for fieldValidation), apply defaults, then validate type, required, enum, pattern, minLength,
/// maxLength, minimum, maximum, minItems, maxItems and the x-kubernetes-validations rules <see cref="CelSubset"/> understands (others are skipped).
/// </summary>
public static class SchemaValidator
{
    private static readonly HashSet<string> MetadataFields =
    [
        "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "labels", "annotations", "finalizers", "ownerReferences", "managedFields", "selfLink",
    ];

    public static void Process(JsonObject item, JsonObject schema, JsonObject? old, List<FieldCause> causes, List<string> unknownFields)
    {
        if (item["metadata"] is JsonObject metadata)
        {
            foreach (var key in metadata.Select(p => p.Key).Where(k => !MetadataFields.Contains(k)).ToList())
            {
                unknownFields.Add("metadata." + key);
                metadata.Remove(key);
            }
        }

        var properties = schema["properties"] as JsonObject ?? [];
        foreach (var key in item.Select(p => p.Key).ToList())
        {
            if (key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            if (properties[key] is not JsonObject propertySchema)
            {
                unknownFields.Add(key);
                item.Remove(key);
                continue;
            }

            Visit(item, key, propertySchema, old?[key], key, causes, unknownFields);
        }

        foreach (var required in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            if (item[required] is null)
            {
                causes.Add(new FieldCause(FieldCause.Required, required, "Required value"));
            }
        }
    }

    private static void Visit(JsonNode parent, object slot, JsonObject schema, JsonNode? old, string path, List<FieldCause> causes, List<string> unknownFields)
    {
        var value = slot is string key ? parent[key] : parent[(int)slot];
        var type = schema["type"]?.GetValue<string>();
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true)
            {
                causes.Add(new FieldCause(FieldCause.TypeInvalid, path, $"Invalid value: \"null\": {path} in body must be of type {type}: \"null\""));
            }

            return;
        }

        var actual = TypeOf(value);
        if (type is not null && actual != type && !(type == "number" && actual == "integer"))
        {
            causes.Add(new FieldCause(FieldCause.TypeInvalid, path, $"Invalid value: \"{actual}\": {path} in body must be of type {type}: \"{actual}\""));
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                VisitObject(obj, schema, old as JsonObject, path, causes, unknownFields);
                break;
            case JsonArray array:
                if (schema["items"] is JsonObject itemSchema)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        Visit(array, i, itemSchema, null, $"{path}[{i}]", causes, unknownFields);
                    }
                }

                CheckCount(array.Count, schema, "minItems", "maxItems", "items", path, causes);
                break;
            default:
                CheckScalar(value, schema, path, causes);
                break;
        }

        foreach (var rule in schema["x-kubernetes-validations"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var expression = rule["rule"]?.GetValue<string>() ?? "";
            var transition = expression.Contains("oldSelf", StringComparison.Ordinal);
            if (transition && old is null)
            {
                // Transition rules apply to updates only.
                continue;
            }

            if (CelSubset.Evaluate(expression, value, old) == false)
            {
                var message = rule["message"]?.GetValue<string>() ?? $"failed rule: {expression}";
                causes.Add(new FieldCause(FieldCause.Invalid, path, $"Invalid value: \"{TypeOf(value)}\": {message}"));
            }
        }
    }

    private static void VisitObject(JsonObject obj, JsonObject schema, JsonObject? old, string path, List<FieldCause> causes, List<string> unknownFields)
    {
        var properties = schema["properties"] as JsonObject;
        var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        var additional = schema["additionalProperties"] as JsonObject;
        if (properties is not null)
        {
            foreach (var (name, propertySchema) in properties)
            {
                if (obj[name] is null && !obj.ContainsKey(name) && propertySchema?["default"] is { } defaultValue)
                {
                    obj[name] = defaultValue.DeepClone();
                }
            }
        }

        foreach (var name in obj.Select(p => p.Key).ToList())
        {
            var childPath = $"{path}.{name}";
            if (properties?[name] is JsonObject propertySchema)
            {
                Visit(obj, name, propertySchema, old?[name], childPath, causes, unknownFields);
            }
            else if (additional is not null)
            {
                Visit(obj, name, additional, old?[name], childPath, causes, unknownFields);
            }
            else if (!preserve && (properties is not null || schema["additionalProperties"] is null))
            {
                unknownFields.Add(childPath);
                obj.Remove(name);
            }
        }

        foreach (var required in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            if (obj[required] is null)
            {
                causes.Add(new FieldCause(FieldCause.Required, $"{path}.{required}", "Required value"));
            }
        }
    }

    private static void CheckScalar(JsonNode value, JsonObject schema, string path, List<FieldCause> causes)
    {
        var shown = Show(value);
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            var supported = string.Join(", ", allowed.Select(a => Show(a!)));
            causes.Add(new FieldCause(FieldCause.NotSupported, path, $"Unsupported value: {shown}: supported values: {supported}"));
        }

        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            if (schema["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                causes.Add(new FieldCause(FieldCause.Invalid, path, $"Invalid value: {shown}: {path} in body should match '{pattern}'"));
            }

            CheckCount(new System.Globalization.StringInfo(text).LengthInTextElements, schema, "minLength", "maxLength", "chars", path, causes, shown);
            return;
        }

        if (value.GetValueKind() == JsonValueKind.Number)
        {
            // As kube-openapi does: an integral value is compared with the bounds truncated to integers, so `minimum: 0.001`
            // lets `0` through (only a CEL rule catches it).
            var number = Number(value);
            var integral = Math.Floor(number) == number;
            double Bound(JsonNode bound) => integral ? Math.Truncate(Number(bound)) : Number(bound);
            if (schema["minimum"] is { } minimum && number < Bound(minimum))
            {
                causes.Add(new FieldCause(FieldCause.Invalid, path, $"Invalid value: {shown}: {path} in body should be greater than or equal to {minimum.ToJsonString()}"));
            }

            if (schema["maximum"] is { } maximum && number > Bound(maximum))
            {
                causes.Add(new FieldCause(FieldCause.Invalid, path, $"Invalid value: {shown}: {path} in body should be less than or equal to {maximum.ToJsonString()}"));
            }
        }
    }

    private static void CheckCount(int count, JsonObject schema, string minKey, string maxKey, string unit, string path, List<FieldCause> causes, string? shown = null)
    {
        shown ??= count.ToString(CultureInfo.InvariantCulture);
        if (schema[minKey] is { } min && count < Number(min))
        {
            causes.Add(new FieldCause(FieldCause.Invalid, path, $"Invalid value: {shown}: {path} in body should be at least {min.ToJsonString()} {unit} long"));
        }

        if (schema[maxKey] is { } max && count > Number(max))
        {
            causes.Add(new FieldCause(FieldCause.Invalid, path, $"Invalid value: {shown}: {path} in body should be at most {max.ToJsonString()} {unit} long"));
        }
    }

    private static string TypeOf(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.ToJsonString().Contains('.', StringComparison.Ordinal) || value.ToJsonString().Contains('e', StringComparison.OrdinalIgnoreCase) ? "number" : "integer",
        _ => "null",
    };

    private static string Show(JsonNode value) => value.GetValueKind() is JsonValueKind.String
        ? JsonSerializer.Serialize(value.GetValue<string>(), ApiServerJsonContext.Default.String)
        : value.ToJsonString();

    private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);
}
