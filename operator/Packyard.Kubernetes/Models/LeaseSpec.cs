using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Packyard.Kubernetes.Models;

/// <summary>coordination.k8s.io/v1 LeaseSpec.</summary>
public sealed class LeaseSpec
{
    public string? HolderIdentity { get; set; }
    public int? LeaseDurationSeconds { get; set; }

    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? AcquireTime { get; set; }

    [JsonConverter(typeof(MicroTimeConverter))]
    public DateTimeOffset? RenewTime { get; set; }

    public int? LeaseTransitions { get; set; }

    /// <summary>
    /// metav1.MicroTime: the API server accepts only RFC 3339 in UTC with exactly six fractional digits; .NET's default format
    /// (up to seven digits and an offset) is answered with 400 "cannot be handled as a Lease".
    /// </summary>
    internal sealed class MicroTimeConverter : JsonConverter<DateTimeOffset?>
    {
        public override bool HandleNull => false;

        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is { } time)
            {
                writer.WriteStringValue(time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'", CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
