namespace Packyard.Engine.Tasks;

/// <summary>
/// The open tasks of a kind and key, as the controller role shows them in status (implemented by <see cref="TaskQueue"/>). The task
/// ports live in the engine, their owner, so that the queue implements them without adapters, and so that the reconcilers depend
/// on the few methods they call rather than the whole queue (their step tests fake them without PostgreSQL).
/// </summary>
public interface ITaskLookup
{
    /// <summary>The queued and running tasks of <paramref name="kind"/> (<see cref="TaskKinds"/>) and <paramref name="key"/>, oldest first.</summary>
    Task<IReadOnlyList<TaskTicket>> FindOpenAsync(string kind, string key, CancellationToken cancellationToken);
}
