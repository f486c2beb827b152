using System.Text.Json.Serialization;

namespace Packyard.Server;

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UploadResponse))] // body of a successful upload
[JsonSerializable(typeof(ErrorResponse))] // body of a refused request
internal sealed partial class ServerJsonContext : JsonSerializerContext;

/// <summary>What an upload returns.</summary>
public sealed record UploadResponse(string Repository, long Version, bool Created, string RelativePath, string Sha256, long Size);

/// <summary>An error body: a message a user can act on.</summary>
public sealed record ErrorResponse(string Error);
