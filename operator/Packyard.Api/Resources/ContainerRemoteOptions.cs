using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>The Remote's <c>spec.container</c> block.</summary>
public sealed class ContainerRemoteOptions : RemoteTypeOptions
{
    [Required]
    [Description("The repository on the upstream registry, e.g. library/nginx (a single name on Docker Hub gets library/ in front).")]
    public string UpstreamName { get; set; } = "";

    [Description("Tag globs to mirror (* and ?); absent mirrors every tag.")]
    public List<string>? IncludeTags { get; set; }

    [Description("Tag globs to leave out, applied after includeTags.")]
    public List<string>? ExcludeTags { get; set; }

    [Description("Platforms (os/architecture[/variant], e.g. linux/amd64, linux/arm/v7) whose layers an image index keeps; the index and its manifests are kept whole. Absent keeps every platform.")]
    public List<string>? Platforms { get; set; }
}
