namespace Packyard.Engine.Tasks;

/// <summary>
/// Runs one kind of claimed task (<see cref="TaskKinds"/>) and says how it ended. Failures the user can act on are results,
/// never exceptions; cancellation propagates (the worker releases or abandons the task).
/// </summary>
public interface ITaskHandler
{
    /// <summary>The kind this handler runs.</summary>
    string Kind { get; }

    Task<TaskResult> RunAsync(ClaimedTask task, CancellationToken cancellationToken);
}
