using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Packyard.Api.Resources;

/// <summary>
/// Puts a property holding a type block (<see cref="RemoteTypeOptions"/>, <see cref="PublishTypeOptions"/>) in the hands of
/// <see cref="TypeOptionsJsonContext"/>, whatever context serialises the object around it.
/// </summary>
public sealed class TypeOptionsConverter<T> : JsonConverter<T>
    where T : class
{
    private static readonly JsonTypeInfo<T> Info = (JsonTypeInfo<T>)TypeOptionsJson.TypeInfo(typeof(T));

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, Info);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, Info);
}
