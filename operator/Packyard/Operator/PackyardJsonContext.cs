using System.Text.Json.Serialization;
using Packyard.Api.Resources;

namespace Packyard.Operator;

// The four kinds as the API serves them: what the resource client reads and writes, cloning cached objects before a
// reconcile mutates them, and diffing statuses into merge patches. Their metadata (the library's V1ObjectMeta) is
// generated along with them.
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Remote))]
[JsonSerializable(typeof(Repository))]
[JsonSerializable(typeof(Distribution))]
[JsonSerializable(typeof(Promotion))]
// V1ObjectMeta.managedFields[].fieldsV1 is typed object: it reads as a JsonElement and must write back as one.
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class PackyardJsonContext : JsonSerializerContext;
