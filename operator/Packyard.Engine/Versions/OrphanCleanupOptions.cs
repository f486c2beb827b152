namespace Packyard.Engine.Versions;

/// <summary>Limits of orphan cleanup's sweep of the artifact store itself.</summary>
public sealed class OrphanCleanupOptions
{
    /// <summary>
    /// How old a store object no database row references, or a temporary file nobody writes to, must be before it is
    /// removed: well above the time between storing a blob and recording its row (the longest upload or sync batch).
    /// </summary>
    public TimeSpan UnreferencedAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a push's upload session, or a unit pushed into a repository that no version took in (a blob without its
    /// manifest), is kept after its last change; then orphan cleanup drops it, and what only it kept is reclaimed.
    /// </summary>
    public TimeSpan PendingUploadAge { get; init; } = TimeSpan.FromHours(24);
}
