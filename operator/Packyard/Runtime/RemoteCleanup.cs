using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>A Remote that goes takes its engine record (its settings and encrypted credentials) with it.</summary>
public sealed class RemoteCleanup : IKindFinalizer
{
    public async Task<bool> FinalizeAsync(ResourceKey key, KindContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Services.Remotes.DeleteRemoteAsync(key.Namespace, key.Name, cancellationToken).ConfigureAwait(false);
        return false;
    }
}
