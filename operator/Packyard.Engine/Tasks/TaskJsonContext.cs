using System.Text.Json.Serialization;

namespace Packyard.Engine.Tasks;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SyncTaskArgs))] // tasks.args of a sync task
[JsonSerializable(typeof(SyncReport))] // tasks.result of a finished sync task
[JsonSerializable(typeof(PublishTaskArgs))] // tasks.args of a publish task
[JsonSerializable(typeof(PublishReport))] // tasks.result of a publish task
[JsonSerializable(typeof(PromoteTaskArgs))] // tasks.args of a promote task
[JsonSerializable(typeof(PromoteReport))] // tasks.result of a promote task
[JsonSerializable(typeof(ReclaimReport))] // tasks.result of a reclaim task
[JsonSerializable(typeof(TaskProgress))] // tasks.progress of a running task
internal sealed partial class TaskJsonContext : JsonSerializerContext;
