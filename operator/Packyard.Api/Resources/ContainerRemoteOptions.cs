using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>The Remote's <c>spec.container</c> block.</summary>
public sealed class ContainerRemoteOptions : RemoteTypeOptions
{
    [Required]
    public string UpstreamName { get; set; } = "";

    public List<string>? IncludeTags { get; set; }
    public List<string>? ExcludeTags { get; set; }
}
