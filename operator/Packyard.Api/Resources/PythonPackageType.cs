using System.Text.Json.Serialization;

namespace Packyard.Api.Resources;

[JsonConverter(typeof(JsonStringEnumConverter<PythonPackageType>))]
public enum PythonPackageType
{
    [JsonStringEnumMemberName("bdist_wheel")] BdistWheel,
    [JsonStringEnumMemberName("sdist")] Sdist,
}
