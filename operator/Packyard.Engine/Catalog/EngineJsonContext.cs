using System.Text.Json.Serialization;
using Packyard.Engine.Downloads;

namespace Packyard.Engine.Catalog;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RemoteSettings))] // remotes.config: resolved download settings, read back by on-demand serving
[JsonSerializable(typeof(RemoteSecrets))] // remotes.config sealedSecrets: the credentials, encrypted
[JsonSerializable(typeof(ContentGuardRecord))] // distributions.guard: hashed reader credentials
internal sealed partial class EngineJsonContext : JsonSerializerContext;
