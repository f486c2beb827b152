using Packyard.Api.Schema;

namespace Packyard.Api.Resources;

/// <summary>The Remote's <c>spec.python</c> block.</summary>
public sealed class PythonRemoteOptions : RemoteTypeOptions
{
    [Description("PEP 508 requirement strings to mirror; absent mirrors the whole index.")]
    public List<string>? Includes { get; set; }

    public List<string>? Excludes { get; set; }

    public List<PythonPackageType>? PackageTypes { get; set; }

    [Description("Platforms (from wheel tags) to leave out, e.g. windows, macos, linux.")]
    public List<string>? ExcludePlatforms { get; set; }

    public bool Prereleases { get; set; }
}
