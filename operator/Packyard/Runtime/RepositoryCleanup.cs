using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>
/// A Repository that goes: its running sync stops at once (not when the worker next heartbeats or finishes), and it is detached
/// and kept for the deletion grace period (<see cref="RepositoryFinalizer"/>; its Deleted event says until when).
/// </summary>
public sealed class RepositoryCleanup : IKindFinalizer
{
    public async Task<bool> FinalizeAsync(ResourceKey key, KindContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Services.Syncs.CancelAsync($"{key.Namespace}/{key.Name}", "canceled: the Repository was deleted", cancellationToken).ConfigureAwait(false);
        var detached = await context.RepositoryFinalizer.DeleteAsync(key.Namespace, key.Name, cancellationToken).ConfigureAwait(false);
        context.DistributionCache?.Invalidate();
        return detached is not null;
    }
}
