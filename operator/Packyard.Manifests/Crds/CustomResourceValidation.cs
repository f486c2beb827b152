using System.Text.Json.Serialization;
using YamlDotNet.Serialization;

namespace Packyard.Manifests.Crds;

public sealed class CustomResourceValidation
{
    [YamlMember(Alias = "openAPIV3Schema")]
    [JsonPropertyName("openAPIV3Schema")]
    public JsonSchemaProps OpenApiV3Schema { get; set; } = new();
}
