using System.Text.Json;
using System.Text.Json.Serialization;

namespace Packyard.Content.Container;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OciManifestMetadata))]
[JsonSerializable(typeof(TagMetadata))]
[JsonSerializable(typeof(BlobMetadata))]
[JsonSerializable(typeof(TagIndex))]
[JsonSerializable(typeof(OciTagList))]
internal sealed partial class ContainerJsonContext : JsonSerializerContext;
