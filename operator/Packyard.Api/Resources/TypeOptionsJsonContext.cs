using System.Text.Json;
using System.Text.Json.Serialization;

namespace Packyard.Api.Resources;

/// <summary>
/// The one serialiser of the type blocks where they cross the database (<c>remotes.config</c>, task arguments): polymorphic
/// through <see cref="RemoteTypeOptions"/> and <see cref="PublishTypeOptions"/> (<c>$type</c> is the type name, accepted at
/// any position because jsonb reorders keys), each block also by its own class for <see cref="TypeOptionsJson.Write"/>.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(RemoteTypeOptions))]
[JsonSerializable(typeof(PublishTypeOptions))]
[JsonSerializable(typeof(FileRemoteOptions))]
[JsonSerializable(typeof(PythonRemoteOptions))]
[JsonSerializable(typeof(DebRemoteOptions))]
[JsonSerializable(typeof(RpmRemoteOptions))]
[JsonSerializable(typeof(ContainerRemoteOptions))]
[JsonSerializable(typeof(DebPublishOptions))]
public sealed partial class TypeOptionsJsonContext : JsonSerializerContext;
