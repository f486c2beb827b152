namespace Packyard.Engine.Catalog;

/// <summary>
/// What deleting a repository did: detached it, kept until <paramref name="KeepUntil"/>, or (no grace period, KeepUntil null)
/// deleted it at once. <paramref name="LatestVersion"/> is its newest version at the time.
/// </summary>
public sealed record RepositoryDeletion(long Id, long LatestVersion, DateTimeOffset Deleted, DateTimeOffset? KeepUntil);
