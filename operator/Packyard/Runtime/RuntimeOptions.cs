namespace Packyard.Runtime;

/// <summary>How the runtime's loop runs (the modes set these from their flags).</summary>
public sealed class RuntimeOptions
{
    /// <summary>Reconciles at once at most.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Every object is reconciled at least this often; no requeue a step asks for is longer.</summary>
    public TimeSpan Resync { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The first retry's delay after a failed reconcile; each further failure doubles it.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);
}
