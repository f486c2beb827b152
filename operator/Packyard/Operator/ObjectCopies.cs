using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Packyard.Api.Resources;

namespace Packyard.Operator;

/// <summary>Deep copies of cached objects (reconcilers mutate status) and their status as JSON, through source-generated JSON.</summary>
public static class ObjectCopies
{
    public static T Clone<T>(T item)
        where T : class => JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(item, TypeInfo<T>()), TypeInfo<T>())!;

    /// <summary>The object's <c>status</c> as the API would store it (null when absent).</summary>
    public static JsonNode? Status<T>(T item)
        where T : class => JsonSerializer.SerializeToNode(item, TypeInfo<T>())?["status"]?.DeepClone();

    private static JsonTypeInfo<T> TypeInfo<T>()
        where T : class => (JsonTypeInfo<T>)(typeof(T) switch
    {
        var t when t == typeof(Remote) => (JsonTypeInfo)PackyardJsonContext.Default.Remote,
        var t when t == typeof(Repository) => PackyardJsonContext.Default.Repository,
        var t when t == typeof(Distribution) => PackyardJsonContext.Default.Distribution,
        var t when t == typeof(Promotion) => PackyardJsonContext.Default.Promotion,
        _ => throw new NotSupportedException($"{typeof(T).Name} is not one of the Packyard kinds"),
    });
}
