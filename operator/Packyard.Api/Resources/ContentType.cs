using System.Text.Json.Serialization;
using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

[Description("The kind of packages a Remote or Repository holds.")]
[JsonConverter(typeof(JsonStringEnumConverter<ContentType>))]
public enum ContentType
{
    [JsonStringEnumMemberName("file")] File,
    [JsonStringEnumMemberName("python")] Python,
    [JsonStringEnumMemberName("deb")] Deb,
    [JsonStringEnumMemberName("rpm")] Rpm,
    [JsonStringEnumMemberName("container")] Container,
}

public static class ContentTypeNames
{
    /// <summary>The lower-case name used in YAML, URLs and the database.</summary>
    public static string ToName(this ContentType type) => type switch
    {
        ContentType.File => "file",
        ContentType.Python => "python",
        ContentType.Deb => "deb",
        ContentType.Rpm => "rpm",
        ContentType.Container => "container",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
