namespace Packyard.Engine.Database;

/// <summary>How <see cref="EmbeddedPostgres"/> runs its cluster.</summary>
public sealed record EmbeddedPostgresOptions
{
    /// <summary>
    /// fsync, full_page_writes and synchronous_commit on (the default): an acknowledged commit survives a crash of
    /// PostgreSQL or of the machine. False turns all three off, which is only for tests and throwaway benchmarks:
    /// a crash can then lose acknowledged commits, and a power loss can corrupt the whole cluster.
    /// </summary>
    public bool Durable { get; init; } = true;
}
