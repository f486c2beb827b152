using Packyard.ControllerRuntime;
using Packyard.Controllers;

namespace Packyard.Runtime;

/// <summary>The one mapping of a reconcile's <see cref="StepResult"/> to when the key is reconciled again, in both modes.</summary>
public static class RequeuePolicy
{
    /// <summary>How long a <see cref="StepOutcome.Wait"/> without a delay of its own waits.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    /// <summary>The requeue for <paramref name="result"/>; no delay a step asks for is longer than <paramref name="resync"/>.</summary>
    public static Requeue For(StepResult result, TimeSpan resync) => result.Outcome switch
    {
        // The step knows when to try again (a failed sync's backoff).
        StepOutcome.Retry when result.RequeueAfter is { } at => Requeue.After(at < resync ? at : resync),
        StepOutcome.Retry => Requeue.RateLimited,
        StepOutcome.Wait => Requeue.After(result.RequeueAfter ?? DefaultWait),
        StepOutcome.Requeue => Requeue.Now,
        StepOutcome.Done when result.RequeueAfter is { } after => Requeue.After(after < resync ? after : resync),
        _ => Requeue.Forget,
    };
}
