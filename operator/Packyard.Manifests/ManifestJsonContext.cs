using System.Text.Json;
using System.Text.Json.Serialization;
using Packyard.Api.Resources;
using Packyard.Manifests.Crds;

namespace Packyard.Manifests;

/// <summary>Source-generated JSON for the resources read from manifests and the CRD model.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Remote))]
[JsonSerializable(typeof(Repository))]
[JsonSerializable(typeof(Distribution))]
[JsonSerializable(typeof(Promotion))]
[JsonSerializable(typeof(Secret))]
[JsonSerializable(typeof(CustomResourceDefinition))]
// JsonSchemaProps.Default is typed object; these are the runtime types a default can have.
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
// V1ObjectMeta.managedFields[].fieldsV1 (in a manifest saved from the API server) is typed object too.
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
