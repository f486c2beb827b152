using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Packyard.Api.Resources;

/// <summary>Type blocks as JSON, through <see cref="TypeOptionsJsonContext"/> only.</summary>
public static class TypeOptionsJson
{
    private const string Discriminator = "$type";

    /// <summary>
    /// The block as JSON of its own class, without discriminator (<c>{"distributions":["bookworm"]}</c>), or <c>{}</c> when
    /// absent: what fingerprints of a Remote's settings digest, unchanged since the blocks were handed over as JSON text.
    /// </summary>
    public static string Write(object? block) =>
        block is null ? "{}" : JsonSerializer.Serialize(block, TypeInfo(block.GetType()));

    /// <summary>
    /// Reads a block of the content type named <paramref name="type"/> from JSON without discriminator (what
    /// <see cref="Write"/> gives; remotes.config rows written before the blocks were typed hold it); null for <c>{}</c>.
    /// </summary>
    public static T? Read<T>(string type, string json)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        if (JsonNode.Parse(json) is not JsonObject node || node.Count == 0)
        {
            return null;
        }

        node[Discriminator] = type;
        return node.Deserialize((JsonTypeInfo<T>)TypeInfo(typeof(T)));
    }

    internal static JsonTypeInfo TypeInfo(Type type) =>
        TypeOptionsJsonContext.Default.GetTypeInfo(type) ?? throw new NotSupportedException($"{type} is not a type block");
}
