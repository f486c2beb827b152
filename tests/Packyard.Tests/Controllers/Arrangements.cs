using Packyard.Controllers;
using Packyard.Tests.Controllers.Fakes;

namespace Packyard.Tests.Controllers;

/// <summary>How the step tables build their state before the reconcile under test (<see cref="StepCase{T}.Arrange"/>).</summary>
internal static class Arrangements
{
    /// <summary>State that needs no reconcile: resources and engine records only.</summary>
    public static Func<ReconcileWorld, Task<T>> Given<T>(Func<ReconcileWorld, T> arrange) => w => Task.FromResult(arrange(w));

    /// <summary>
    /// <paramref name="arrange"/>, reconciled once (which queues the task the resource needs), then <paramref name="worker"/> acts
    /// (claims, finishes or fails that task) or the user changes something.
    /// </summary>
    public static Func<ReconcileWorld, Task<T>> Reconciled<T>(Func<ReconcileWorld, Task<T>> arrange, Func<ReconcileWorld, T, Task<StepResult>> reconcile,
        Action<ReconcileWorld>? worker) => async w =>
    {
        var resource = await arrange(w);
        await reconcile(w, resource);
        worker?.Invoke(w);
        return resource;
    };
}
