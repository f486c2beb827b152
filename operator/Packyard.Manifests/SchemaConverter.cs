using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Packyard.Manifests.Crds;
using YamlDotNet.RepresentationModel;

namespace Packyard.Manifests;

/// <summary>
/// Validates a YAML node tree against an OpenAPI v3 schema and turns it into JSON, as the API server would:
/// nulls are dropped, defaults applied, then type, enum, pattern, bounds and required fields checked.
/// Every problem is recorded with the line and column of the node it concerns; every field's location is kept.
/// </summary>
internal sealed class SchemaConverter(string file)
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);

    public List<ManifestError> Errors { get; } = [];

    public Dictionary<string, SourceLocation> Locations { get; } = new(StringComparer.Ordinal);

    /// <summary>The JSON for <paramref name="node"/>, or null when it is null or invalid (then an error was recorded, except for null).</summary>
    public JsonNode? Convert(YamlNode node, JsonSchemaProps schema, string path)
    {
        Locations.TryAdd(path, Location(node));
        if (YamlScalars.IsNull(node))
        {
            return null;
        }

        return schema.Type switch
        {
            "object" => ConvertObject(node, schema, path),
            "array" => ConvertArray(node, schema, path),
            "string" => ConvertString(node, schema, path),
            "integer" => ConvertInteger(node, schema, path),
            "number" => ConvertNumber(node, schema, path),
            "boolean" => ConvertBoolean(node, path),
            _ => ConvertUntyped(node),
        };
    }

    private JsonNode? ConvertObject(YamlNode node, JsonSchemaProps schema, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            return Fail(node, path, $"expected an object, got {YamlScalars.Describe(node)}");
        }

        var result = new JsonObject();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Fail(keyNode, path, "field names must be strings");
                continue;
            }

            var childPath = Join(path, key);
            if (!YamlScalars.IsNull(valueNode))
            {
                present.Add(key); // Present, even when invalid: its own error says what is wrong.
            }

            if (schema.Properties?.GetValueOrDefault(key) is { } propertySchema)
            {
                Locations[childPath] = Location(keyNode);
                AddIfPresent(result, key, Convert(valueNode, propertySchema, childPath));
            }
            else if (schema.AdditionalProperties is { } valueSchema)
            {
                Locations[childPath] = Location(keyNode);
                AddIfPresent(result, key, Convert(valueNode, valueSchema, childPath));
            }
            else if (schema.XKubernetesPreserveUnknownFields != true)
            {
                Errors.Add(Error(keyNode, $"unknown field {childPath}" + Suggestions.DidYouMean(key, schema.Properties?.Keys ?? Enumerable.Empty<string>())));
            }
        }

        foreach (var (name, propertySchema) in schema.Properties ?? [])
        {
            if (!present.Contains(name) && propertySchema.Default is { } defaultValue)
            {
                result[name] = defaultValue switch
                {
                    bool boolean => JsonValue.Create(boolean),
                    int integer => JsonValue.Create(integer),
                    long integer => JsonValue.Create(integer),
                    double number => JsonValue.Create(number),
                    _ => JsonValue.Create(System.Convert.ToString(defaultValue, CultureInfo.InvariantCulture)),
                };
            }
        }

        foreach (var name in schema.Required ?? [])
        {
            if (!present.Contains(name) && !result.ContainsKey(name))
            {
                Errors.Add(Error(node, $"missing required field {Join(path, name)}"));
            }
        }

        return result;
    }

    private JsonNode? ConvertArray(YamlNode node, JsonSchemaProps schema, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            return Fail(node, path, $"expected a list, got {YamlScalars.Describe(node)}");
        }

        var result = new JsonArray();
        var index = 0;
        foreach (var item in sequence.Children)
        {
            var itemPath = $"{path}[{index++}]";
            if (YamlScalars.IsNull(item))
            {
                Fail(item, itemPath, "list items must not be null");
                continue;
            }

            if (schema.Items is { } itemSchema && Convert(item, itemSchema, itemPath) is { } converted)
            {
                result.Add(converted);
            }
        }

        if (schema.MinItems is { } minItems && sequence.Children.Count < minItems)
        {
            Fail(node, path, $"must have at least {minItems} item{(minItems == 1 ? "" : "s")}");
        }

        if (schema.MaxItems is { } maxItems && sequence.Children.Count > maxItems)
        {
            Fail(node, path, $"must have at most {maxItems} item{(maxItems == 1 ? "" : "s")}");
        }

        return result;
    }

    private JsonNode? ConvertString(YamlNode node, JsonSchemaProps schema, string path)
    {
        if (node is not YamlScalarNode scalar || YamlScalars.IsPlain(scalar) && (YamlScalars.AsBoolean(scalar) is not null || YamlScalars.IsInteger(scalar) || YamlScalars.IsFloat(scalar)))
        {
            var hint = node is YamlScalarNode ? "; quote it to make it a string" : "";
            return Fail(node, path, $"expected a string, got {YamlScalars.Describe(node)}{hint}");
        }

        var value = scalar.Value ?? "";
        if (schema.Enum is { } allowed && !allowed.Contains(value, StringComparer.Ordinal))
        {
            return Fail(node, path, $"unsupported value \"{value}\"; allowed values: {string.Join(", ", allowed)}");
        }

        if (schema.MinLength is { } minLength && value.Length < minLength)
        {
            return Fail(node, path, minLength == 1 ? "must not be empty" : $"must be at least {minLength} characters long");
        }

        if (schema.MaxLength is { } maxLength && value.Length > maxLength)
        {
            return Fail(node, path, $"must be at most {maxLength} characters long, got {value.Length}");
        }

        if (schema.Pattern is { } pattern && !Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant, PatternTimeout))
        {
            return Fail(node, path, Api.Resources.Patterns.Meaning(pattern) is { } meaning
                ? $"\"{value}\" is not {meaning}"
                : $"\"{value}\" does not match the pattern {pattern}");
        }

        if (schema.Format == "date-time" && !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
        {
            return Fail(node, path, $"\"{value}\" is not an RFC 3339 date-time");
        }

        return JsonValue.Create(value);
    }

    private JsonNode? ConvertInteger(YamlNode node, JsonSchemaProps schema, string path)
    {
        if (node is not YamlScalarNode scalar || !YamlScalars.TryGetInteger(scalar, out var value))
        {
            return Fail(node, path, $"expected an integer, got {YamlScalars.Describe(node)}");
        }

        if (schema.Format == "int32" && value is < int.MinValue or > int.MaxValue)
        {
            return Fail(node, path, $"{value} does not fit a 32-bit integer");
        }

        return CheckBounds(node, schema, path, value) ? JsonValue.Create(value) : null;
    }

    private JsonNode? ConvertNumber(YamlNode node, JsonSchemaProps schema, string path)
    {
        if (node is not YamlScalarNode scalar || !YamlScalars.TryGetNumber(scalar, out var value))
        {
            return Fail(node, path, $"expected a number, got {YamlScalars.Describe(node)}");
        }

        return CheckBounds(node, schema, path, value) ? JsonValue.Create(value) : null;
    }

    private JsonNode? ConvertBoolean(YamlNode node, string path) =>
        node is YamlScalarNode scalar && YamlScalars.AsBoolean(scalar) is { } value
            ? JsonValue.Create(value)
            : Fail(node, path, $"expected a boolean (true or false), got {YamlScalars.Describe(node)}");

    /// <summary>Fields the schema does not describe (tolerated metadata): converted by what the YAML says.</summary>
    private static JsonNode? ConvertUntyped(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children
            .Where(entry => entry.Key is YamlScalarNode { Value: not null })
            .Select(entry => KeyValuePair.Create(((YamlScalarNode)entry.Key).Value!, ConvertUntyped(entry.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ConvertUntyped).ToArray()),
        YamlScalarNode scalar when YamlScalars.IsNull(scalar) => null,
        YamlScalarNode scalar when YamlScalars.AsBoolean(scalar) is { } boolean => JsonValue.Create(boolean),
        YamlScalarNode scalar when YamlScalars.TryGetInteger(scalar, out var integer) => JsonValue.Create(integer),
        YamlScalarNode scalar when YamlScalars.TryGetNumber(scalar, out var number) => JsonValue.Create(number),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => null,
    };

    private bool CheckBounds(YamlNode node, JsonSchemaProps schema, string path, double value)
    {
        if (schema.Minimum is { } minimum && value < minimum)
        {
            Fail(node, path, $"must be at least {minimum.ToString(CultureInfo.InvariantCulture)}, got {value.ToString(CultureInfo.InvariantCulture)}");
            return false;
        }

        if (schema.Maximum is { } maximum && value > maximum)
        {
            Fail(node, path, $"must be at most {maximum.ToString(CultureInfo.InvariantCulture)}, got {value.ToString(CultureInfo.InvariantCulture)}");
            return false;
        }

        return true;
    }

    private static void AddIfPresent(JsonObject target, string key, JsonNode? value)
    {
        if (value is not null)
        {
            target[key] = value;
        }
    }

    /// <summary>Records an error about <paramref name="node"/> and returns null (the invalid value is left out).</summary>
    private JsonNode? Fail(YamlNode node, string path, string message)
    {
        Errors.Add(Error(node, path.Length == 0 ? message : $"{path}: {message}"));
        return null;
    }

    private ManifestError Error(YamlNode node, string message)
    {
        var location = Location(node);
        return new ManifestError(file, location.Line, location.Column, message);
    }

    private static SourceLocation Location(YamlNode node) => new((int)node.Start.Line, (int)node.Start.Column);

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
