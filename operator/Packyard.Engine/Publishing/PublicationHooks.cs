namespace Packyard.Engine.Publishing;

/// <summary>
/// Optional points where a caller may observe a publish in progress. Not registered by default; tests register one to hold
/// a publish at the moment it matters (every file stored, the publication not yet visible) and check what clients see then.
/// </summary>
public sealed class PublicationHooks
{
    /// <summary>Called with the repository id and version after every file is stored and recorded, just before the commit that makes the publication visible.</summary>
    public Func<long, long, CancellationToken, Task>? BeforeCommitAsync { get; set; }
}
