using System.Text.Json;
using System.Text.Json.Serialization;

namespace Packyard.Content.Container;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ManifestMetadata))]
[JsonSerializable(typeof(TagMetadata))]
[JsonSerializable(typeof(BlobMetadata))]
[JsonSerializable(typeof(TagIndex))]
[JsonSerializable(typeof(TagList))]
internal sealed partial class ContainerJsonContext : JsonSerializerContext;
