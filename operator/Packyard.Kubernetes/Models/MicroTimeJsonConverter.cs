using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Packyard.Kubernetes.Models;

/// <summary>
/// Kubernetes <c>MicroTime</c> (a Lease's acquireTime and renewTime): RFC 3339 in UTC with exactly six fractional digits. The API
/// server refuses .NET's default round-trip format (0–7 digits) with 400 "cannot be handled as a Lease".
/// </summary>
internal sealed class MicroTimeJsonConverter : JsonConverter<DateTimeOffset?>
{
    public override bool HandleNull => true;

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } time)
        {
            writer.WriteStringValue(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
