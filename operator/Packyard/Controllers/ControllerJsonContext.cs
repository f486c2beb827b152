using System.Text.Json.Serialization;
using Packyard.Api.Resources;

namespace Packyard.Controllers;

// The type-specific Remote blocks, handed to content types as JSON (RemoteSettings.OptionsJson).
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FileRemoteOptions))]
[JsonSerializable(typeof(PythonRemoteOptions))]
[JsonSerializable(typeof(DebRemoteOptions))]
[JsonSerializable(typeof(RpmRemoteOptions))]
[JsonSerializable(typeof(ContainerRemoteOptions))]
[JsonSerializable(typeof(DebPublishOptions))] // spec.publish.deb, handed to the deb publisher
internal sealed partial class ControllerJsonContext : JsonSerializerContext;
