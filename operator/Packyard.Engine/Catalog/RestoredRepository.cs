namespace Packyard.Engine.Catalog;

/// <summary>
/// A repository made live again within its deletion grace period: deleted at <paramref name="Deleted"/>, with versions
/// <paramref name="FirstVersion"/> to <paramref name="LatestVersion"/> (both 0 when it had only its empty version 0).
/// </summary>
public sealed record RestoredRepository(DateTimeOffset Deleted, long FirstVersion, long LatestVersion);
