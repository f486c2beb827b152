using k8s.Models;
using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Packyard.Api.Resources;
using Packyard.Api.Schema;

namespace Packyard.Manifests.Crds;

/// <summary>
/// Builds OpenAPI v3 schemas from the Packyard.Api types and their schema attributes, by reflection over
/// types that have no behaviour. Property names follow System.Text.Json's web defaults (camelCase).
/// </summary>
internal static class SchemaBuilder
{
    /// <summary>Schema of a resource type as the CRD carries it: <c>metadata</c> is just <c>type: object</c>.</summary>
    public static JsonSchemaProps ForCrd(Type resourceType) => ForType(resourceType, "", MetadataDetail.Crd);

    /// <summary>
    /// Schema used to validate manifests: as in the CRD, but <c>metadata</c> is described (name required,
    /// labels and annotations strings) and keeps unknown metadata fields without complaint.
    /// </summary>
    public static JsonSchemaProps ForManifest(Type resourceType)
    {
        var schema = ForType(resourceType, "", MetadataDetail.Manifest);
        schema.Required = [.. (schema.Required ?? []).Append("metadata").Order(StringComparer.Ordinal)];
        return schema;
    }

    private enum MetadataDetail
    {
        Crd,
        Manifest,
    }

    private static JsonSchemaProps ForType(Type type, string path, MetadataDetail metadata)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;

        if (type == typeof(string))
        {
            return new JsonSchemaProps { Type = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonSchemaProps { Type = "boolean" };
        }

        if (type == typeof(int) || type == typeof(short) || type == typeof(byte))
        {
            return new JsonSchemaProps { Type = "integer", Format = "int32" };
        }

        if (type == typeof(long) || type == typeof(uint))
        {
            return new JsonSchemaProps { Type = "integer", Format = "int64" };
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return new JsonSchemaProps { Type = "number" };
        }

        if (type == typeof(DateTimeOffset) || type == typeof(DateTime))
        {
            return new JsonSchemaProps { Type = "string", Format = "date-time" };
        }

        if (type.IsEnum)
        {
            return new JsonSchemaProps
            {
                Type = "string",
                Description = type.GetCustomAttribute<DescriptionAttribute>()?.Text,
                Enum = EnumValues(type),
            };
        }

        if (type == typeof(V1ObjectMeta))
        {
            return metadata == MetadataDetail.Crd ? new JsonSchemaProps { Type = "object" } : ManifestMetadata();
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return new JsonSchemaProps { Type = "object", AdditionalProperties = ForType(valueType, path + ".*", metadata) };
        }

        if (ItemType(type) is { } itemType)
        {
            return new JsonSchemaProps { Type = "array", Items = ForType(itemType, path + "[]", metadata) };
        }

        if (type.IsClass)
        {
            return ForObject(type, path, metadata);
        }

        throw new NotSupportedException($"No schema mapping for {type} at '{path}'.");
    }

    private static JsonSchemaProps ForObject(Type type, string path, MetadataDetail metadata)
    {
        var schema = new JsonSchemaProps
        {
            Type = "object",
            Description = type.GetCustomAttribute<DescriptionAttribute>()?.Text,
            Properties = new SortedDictionary<string, JsonSchemaProps>(StringComparer.Ordinal),
        };

        var required = new List<string>();
        foreach (var property in SerializedProperties(type))
        {
            var name = JsonName(property);
            var propertyPath = path.Length == 0 ? name : path + "." + name;
            var propertySchema = ForType(property.PropertyType, propertyPath, metadata);
            ApplyPropertyAttributes(property, propertyPath, propertySchema);
            schema.Properties[name] = propertySchema;
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        if (required.Count > 0)
        {
            required.Sort(StringComparer.Ordinal);
            schema.Required = required;
        }

        var rules = type.GetCustomAttributes<ValidationRuleAttribute>()
            .Select(rule => new SchemaValidationRule(rule.Rule, rule.Message))
            .ToList();
        if (rules.Count > 0)
        {
            schema.XKubernetesValidations = rules;
        }

        return schema;
    }

    private static void ApplyPropertyAttributes(PropertyInfo property, string path, JsonSchemaProps schema)
    {
        if (property.GetCustomAttribute<DescriptionAttribute>() is { } description)
        {
            schema.Description = description.Text;
        }

        if (property.GetCustomAttribute<PatternAttribute>() is { } pattern)
        {
            schema.Pattern = pattern.Pattern;
        }

        if (property.GetCustomAttribute<DefaultAttribute>() is { } defaultValue)
        {
            schema.Default = defaultValue.Value;
        }

        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema.Minimum = range.Minimum;
            schema.Maximum = range.Maximum == double.MaxValue ? null : range.Maximum;
        }

        if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength)
        {
            if (schema.Type == "array")
            {
                schema.MinItems = minLength.Length;
            }
            else
            {
                schema.MinLength = minLength.Length;
            }
        }

        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
        {
            if (schema.Type == "array")
            {
                schema.MaxItems = maxLength.Length;
            }
            else
            {
                schema.MaxLength = maxLength.Length;
            }
        }

        var rules = new List<SchemaValidationRule>();
        if (property.GetCustomAttribute<ImmutableAttribute>() is not null)
        {
            rules.Add(new SchemaValidationRule("self == oldSelf", path + " is immutable"));
        }

        rules.AddRange(property.GetCustomAttributes<ValidationRuleAttribute>().Select(rule => new SchemaValidationRule(rule.Rule, rule.Message)));
        if (rules.Count > 0)
        {
            schema.XKubernetesValidations = rules;
        }
    }

    /// <summary>
    /// Metadata for manifest validation: the ObjectMeta fields a manifest may set, name required,
    /// every other metadata field (ownerReferences, generateName, …) tolerated.
    /// </summary>
    private static JsonSchemaProps ManifestMetadata()
    {
        return new JsonSchemaProps
        {
            Type = "object",
            XKubernetesPreserveUnknownFields = true,
            Required = ["name"],
            Properties = new SortedDictionary<string, JsonSchemaProps>(StringComparer.Ordinal)
            {
                ["annotations"] = new JsonSchemaProps { Type = "object", AdditionalProperties = new JsonSchemaProps { Type = "string" } },
                ["labels"] = new JsonSchemaProps { Type = "object", AdditionalProperties = new JsonSchemaProps { Type = "string" } },
                ["name"] = new JsonSchemaProps { Type = "string", MinLength = 1 },
                ["namespace"] = new JsonSchemaProps { Type = "string", MinLength = 1 },
            },
        };
    }

    /// <summary>The public, settable, non-ignored instance properties System.Text.Json would serialize.</summary>
    public static IEnumerable<PropertyInfo> SerializedProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.GetIndexParameters().Length == 0)
            .Where(property => property.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
            .Where(property => property.SetMethod is { IsPublic: true });

    public static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    /// <summary>Enum values as they appear in JSON: <see cref="JsonStringEnumMemberNameAttribute"/> when present, else the member name.</summary>
    public static List<string> EnumValues(Type enumType) =>
        enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .OrderBy(field => field.MetadataToken)
            .Select(field => field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? field.Name)
            .ToList();

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string)
            && typeof(IDictionary).IsAssignableFrom(type)
            ? value
            : null;

    private static Type? ItemType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && type.GetGenericArguments() is [var item] && typeof(IEnumerable).IsAssignableFrom(type) ? item : null;
    }
}
