using System.Text.Json.Serialization;
using YamlDotNet.Serialization;

namespace Packyard.Manifests.Crds;

/// <summary>An OpenAPI v3 schema as a CRD carries it (the subset Packyard generates and validates).</summary>
public sealed class JsonSchemaProps
{
    public string? Description { get; set; }

    public string? Type { get; set; }

    public string? Format { get; set; }

    /// <summary>Allowed values, in declaration order.</summary>
    public List<string>? Enum { get; set; }

    /// <summary>A string, boolean, integer or number applied when the property is absent.</summary>
    public object? Default { get; set; }

    public string? Pattern { get; set; }

    public double? Minimum { get; set; }

    public double? Maximum { get; set; }

    public long? MinLength { get; set; }

    public long? MaxLength { get; set; }

    public long? MinItems { get; set; }

    public long? MaxItems { get; set; }

    public JsonSchemaProps? Items { get; set; }

    /// <summary>Properties in ordinal order, so generated files diff cleanly.</summary>
    public SortedDictionary<string, JsonSchemaProps>? Properties { get; set; }

    public JsonSchemaProps? AdditionalProperties { get; set; }

    public List<string>? Required { get; set; }

    [YamlMember(Alias = "x-kubernetes-preserve-unknown-fields")]
    [JsonPropertyName("x-kubernetes-preserve-unknown-fields")]
    public bool? XKubernetesPreserveUnknownFields { get; set; }

    [YamlMember(Alias = "x-kubernetes-validations")]
    [JsonPropertyName("x-kubernetes-validations")]
    public List<SchemaValidationRule>? XKubernetesValidations { get; set; }
}
