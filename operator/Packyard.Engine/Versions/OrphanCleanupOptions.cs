namespace Packyard.Engine.Versions;

/// <summary>Limits of orphan cleanup's sweep of the artifact store itself.</summary>
public sealed class OrphanCleanupOptions
{
    /// <summary>
    /// How old a store object no database row references, or a temporary file nobody writes to, must be before it is
    /// removed: well above the time between storing a blob and recording its row (the longest upload or sync batch).
    /// </summary>
    public TimeSpan UnreferencedAge { get; init; } = TimeSpan.FromHours(1);
}
