namespace Packyard.Engine.Tasks;

/// <summary>How the controller role gets a repository version published by a worker (keys: <see cref="TaskQueue.PublishKey"/>).</summary>
public interface IPublishTasks : ITaskLookup
{
    /// <inheritdoc cref="TaskQueue.TakeFinishedPublishAsync"/>
    Task<PublishReport?> TakeFinishedPublishAsync(long repositoryId, long version, CancellationToken cancellationToken);

    /// <inheritdoc cref="TaskQueue.EnqueuePublishAsync"/>
    Task<TaskTicket> EnqueuePublishAsync(long repositoryId, PublishTaskArgs args, string notify, CancellationToken cancellationToken);
}
