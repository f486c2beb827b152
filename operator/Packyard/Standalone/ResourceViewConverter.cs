using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Packyard.Api.Resources;
using Packyard.Runtime;

namespace Packyard.Standalone;

/// <summary>
/// <c>GET /api/v1/resources</c>'s form of a <see cref="ResourceView"/>: the resource's <c>status</c> as the object itself, as
/// <c>kubectl get -o json</c> shows it (<c>.status.latestVersion</c>), whatever its kind; read back by the kind beside it.
/// </summary>
internal sealed class ResourceViewConverter : JsonConverter<ResourceView>
{
    public override ResourceView? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (JsonNode.Parse(ref reader) is not JsonObject json)
        {
            throw new JsonException("a resource view is a JSON object");
        }

        var kind = (string?)json["kind"] ?? throw new JsonException("a resource view names its kind");
        var status = json["status"] is JsonObject body ? body : null;
        var context = StandaloneJsonContext.Default;
        var view = kind switch
        {
            KindNames.Remote => new ResourceStatusView(status?.Deserialize(context.RemoteStatus), null, null, null),
            KindNames.Repository => new ResourceStatusView(null, status?.Deserialize(context.RepositoryStatus), null, null),
            KindNames.Distribution => new ResourceStatusView(null, null, status?.Deserialize(context.DistributionStatus), null),
            KindNames.Promotion => new ResourceStatusView(null, null, null, status?.Deserialize(context.PromotionStatus)),
            _ => new ResourceStatusView(null, null, null, null),
        };
        return new ResourceView(kind, (string?)json["namespace"] ?? "", (string?)json["name"] ?? "", (long?)json["generation"] ?? 0, (string?)json["error"], view)
        {
            File = (string?)json["file"],
            Line = (int?)json["line"],
        };
    }

    public override void Write(Utf8JsonWriter writer, ResourceView value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var context = StandaloneJsonContext.Default;
        writer.WriteStartObject();
        writer.WriteString("kind", value.Kind);
        writer.WriteString("namespace", value.Namespace);
        writer.WriteString("name", value.Name);
        writer.WriteNumber("generation", value.Generation);
        if (value.Error is { } error)
        {
            writer.WriteString("error", error);
        }

        if (value.File is { } file)
        {
            writer.WriteString("file", file);
        }

        if (value.Line is { } line)
        {
            writer.WriteNumber("line", line);
        }

        writer.WritePropertyName("status");
        var status = value.Status;
        if (status.Remote is { } remote)
        {
            JsonSerializer.Serialize(writer, remote, context.RemoteStatus);
        }
        else if (status.Repository is { } repository)
        {
            JsonSerializer.Serialize(writer, repository, context.RepositoryStatus);
        }
        else if (status.Distribution is { } distribution)
        {
            JsonSerializer.Serialize(writer, distribution, context.DistributionStatus);
        }
        else if (status.Promotion is { } promotion)
        {
            JsonSerializer.Serialize(writer, promotion, context.PromotionStatus);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
