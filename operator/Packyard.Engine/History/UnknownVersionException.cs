namespace Packyard.Engine.History;

/// <summary>The repository has no version of that number (never made, or pruned by retainVersions).</summary>
public sealed class UnknownVersionException(string repository, long version, long latest)
    : Exception($"repository {repository} has no version {version} (versions go up to {latest}; older ones may have been pruned by spec.retainVersions)")
{
    public long Version { get; } = version;
}
