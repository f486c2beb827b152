namespace Packyard.Engine.Tasks;

/// <summary>Runs a publish task: publishes the version with <see cref="VersionPublisher"/> (a version already published is left as it is).</summary>
public sealed class PublishTaskHandler(VersionPublisher publisher) : ITaskHandler
{
    public string Kind => TaskKinds.Publish;

    public async Task<TaskResult> RunAsync(ClaimedTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return TaskResult.Of(await publisher.PublishAsync(task.RepositoryId!.Value, task.PublishArgs, cancellationToken).ConfigureAwait(false));
    }
}
