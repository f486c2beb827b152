namespace Packyard.Engine.Tasks;

/// <summary>How the controller role gets a promotion carried out by a worker (keys: the Promotion's namespace/name).</summary>
public interface IPromoteTasks : ITaskLookup
{
    /// <inheritdoc cref="TaskQueue.TakeFinishedPromoteAsync"/>
    Task<(PromoteTaskArgs Args, PromoteReport Report)?> TakeFinishedPromoteAsync(string promotion, CancellationToken cancellationToken);

    /// <inheritdoc cref="TaskQueue.FindLastPromotedAsync"/>
    Task<(PromoteTaskArgs Args, PromoteReport Report)?> FindLastPromotedAsync(string promotion, CancellationToken cancellationToken);

    /// <inheritdoc cref="TaskQueue.EnqueuePromoteAsync"/>
    Task<TaskTicket> EnqueuePromoteAsync(long targetId, PromoteTaskArgs args, CancellationToken cancellationToken);
}
