using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>The Remote's <c>spec.file</c> block.</summary>
public sealed class FileRemoteOptions : RemoteTypeOptions
{
    [Default("PULP_MANIFEST"), Description("Path of the manifest relative to the remote URL.")]
    public string Manifest { get; set; } = "PULP_MANIFEST";
}
