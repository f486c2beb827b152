using System.Text.Json.Serialization;
using Packyard.Engine.History;

namespace Packyard.Verbs;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(List<VersionInfo>))] // GET .../repositories/NAME/versions
[JsonSerializable(typeof(VersionDiff))] // GET .../repositories/NAME/diff?from=A&to=B
[JsonSerializable(typeof(TaskRecord))] // GET /api/v1/tasks/ID
[JsonSerializable(typeof(List<TaskRecord>))] // GET .../repositories/NAME/tasks
[JsonSerializable(typeof(List<EventView>))] // GET /api/v1/events (standalone), packyard events -o json
[JsonSerializable(typeof(SyncRequested))] // POST .../repositories/NAME/sync (standalone)
[JsonSerializable(typeof(ApiError))] // any error answer
[JsonSerializable(typeof(List<ResourceRow>))] // packyard get -o json
[JsonSerializable(typeof(PromotionPinned))] // packyard promote -o json
internal sealed partial class VerbsJsonContext : JsonSerializerContext;
