using Packyard.Api.Conditions;

namespace Packyard.Tests.Controllers;

/// <summary>The condition lists a reconcile leaves, as the summarizer orders them (Stalled, Reconciling, Ready, then by type).</summary>
internal static class Conditions
{
    public static (string Type, string Status, string Reason)[] Ready(string reason = Reasons.Succeeded) => [("Ready", "True", reason)];

    /// <summary>Reconciling while waiting for a reference, a worker or a publication.</summary>
    public static (string Type, string Status, string Reason)[] Waiting(string reason) => [("Reconciling", "True", reason), ("Ready", "False", reason)];

    /// <summary>A failure to be retried with backoff.</summary>
    public static (string Type, string Status, string Reason)[] Retrying(string reason) =>
        [("Reconciling", "True", "ProgressingWithRetry"), ("Ready", "False", reason)];

    public static (string Type, string Status, string Reason)[] Stalled(string reason) => [("Stalled", "True", reason), ("Ready", "False", reason)];
}
