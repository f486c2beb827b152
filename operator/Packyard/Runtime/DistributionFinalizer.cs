using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>A Distribution that goes is no longer served: its engine record goes and the content app forgets it at once.</summary>
public sealed class DistributionFinalizer : IKindFinalizer
{
    public async Task<bool> FinalizeAsync(ResourceKey key, KindContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Services.Distributions.DeleteDistributionAsync(key.Namespace, key.Name, cancellationToken).ConfigureAwait(false);
        context.DistributionCache?.Invalidate();
        return false;
    }
}
