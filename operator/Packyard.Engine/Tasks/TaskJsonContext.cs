using System.Text.Json.Serialization;

namespace Packyard.Engine.Tasks;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SyncTaskArgs))] // tasks.args of a sync task
[JsonSerializable(typeof(SyncReport))] // tasks.result of a finished sync task
internal sealed partial class TaskJsonContext : JsonSerializerContext;
