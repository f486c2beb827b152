namespace Packyard.Engine.Versions;

/// <summary>Applies a Repository's <c>retainVersions</c> (implemented by <see cref="VersionPruner"/>, which the controller role calls).</summary>
public interface IVersionPruner
{
    /// <summary>Deletes the versions of the repository older than the newest <paramref name="retain"/>; returns how many.</summary>
    Task<int> PruneAsync(long repositoryId, string repositoryName, int retain, CancellationToken cancellationToken);
}
