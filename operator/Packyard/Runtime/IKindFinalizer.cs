using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>Cleans up the engine side of an object that goes (a finalizer, or the cleanup of a kind without one). Idempotent.</summary>
public interface IKindFinalizer
{
    /// <summary>Cleans up; returns true when it recorded its own Deleted event.</summary>
    Task<bool> FinalizeAsync(ResourceKey key, KindContext context, CancellationToken cancellationToken);
}
