using Packyard.Api.Conditions;
using Packyard.Engine.Downloads;

namespace Packyard.Controllers;

/// <summary>
/// Runs reconcile steps so that nothing a step throws escapes the reconcile: an unexpected exception becomes a Retry
/// (<see cref="Reasons.ReconcileError"/>) that the summariser records on the resource like any other outcome, and the
/// queue retries it with backoff. Only cancellation of the reconcile itself propagates.
/// </summary>
public static class ReconcileSteps
{
    /// <summary>Runs <paramref name="steps"/> in order until one returns something other than Continue.</summary>
    public static async Task<StepResult> RunAsync<TContext>(IReadOnlyList<ReconcileStep<TContext>> steps, TContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        foreach (var step in steps)
        {
            var result = await GuardAsync(token => step(context, token), cancellationToken);
            if (result.Outcome is not StepOutcome.Continue)
            {
                return result;
            }
        }

        return StepResult.Continue;
    }

    /// <summary>Runs one step; what it throws (except its own cancellation) becomes a Retry with the cause in the message.</summary>
    public static async Task<StepResult> GuardAsync(Func<CancellationToken, Task<StepResult>> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        try
        {
            return await step(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            return StepResult.Retry(Reasons.ReconcileError, Describe(e));
        }
    }

    /// <summary>The exception's type and message, URLs sanitised; the type tells a bug from an outage.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return $"{exception.GetType().Name}: {UrlSanitizer.Sanitize(exception.Message)}";
    }
}
