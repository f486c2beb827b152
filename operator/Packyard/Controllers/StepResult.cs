namespace Packyard.Controllers;

/// <summary>What a reconcile step decided.</summary>
public enum StepOutcome
{
    /// <summary>Go on with the next step.</summary>
    Continue,

    /// <summary>Desired state reached; reconcile again after <see cref="StepResult.RequeueAfter"/> if set.</summary>
    Done,

    /// <summary>Progress made; reconcile again at once.</summary>
    Requeue,

    /// <summary>Waiting for something outside (a reference, a publication); try again after a delay.</summary>
    Wait,

    /// <summary>A failure that may pass (upstream down); retried with backoff.</summary>
    Retry,

    /// <summary>No progress possible until the spec changes.</summary>
    Stalled,
}

/// <summary>The one result type of reconcile steps. Only <see cref="ReconcileSummarizer"/> turns it into conditions.</summary>
public readonly record struct StepResult(StepOutcome Outcome, string Reason = "", string Message = "", TimeSpan? RequeueAfter = null)
{
    public static StepResult Continue { get; } = new(StepOutcome.Continue);

    public static StepResult Requeue { get; } = new(StepOutcome.Requeue);

    public static StepResult Done(string reason, string message, TimeSpan? requeueAfter = null) => new(StepOutcome.Done, reason, message, requeueAfter);

    public static StepResult Wait(string reason, string message, TimeSpan after) => new(StepOutcome.Wait, reason, message, after);

    /// <summary>A failure to retry: after the queue's backoff, or at <paramref name="after"/> when the step knows better (a sync's backoff).</summary>
    public static StepResult Retry(string reason, string message, TimeSpan? after = null) => new(StepOutcome.Retry, reason, message, after);

    public static StepResult Stalled(string reason, string message) => new(StepOutcome.Stalled, reason, message);
}

/// <summary>A named step of a reconciler.</summary>
public delegate Task<StepResult> ReconcileStep<TContext>(TContext context, CancellationToken cancellationToken);
