namespace Packyard.Hosting;

/// <summary>Settings of the worker role.</summary>
public sealed record TaskWorkerOptions
{
    /// <summary>This worker's name in tasks.worker and in status ("sync running on worker W").</summary>
    public required string Identity { get; init; }

    /// <summary>Tasks this process runs at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>How often a running task's heartbeat is refreshed.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A running task whose heartbeat is older than this belongs to a hung worker and is taken over.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A task whose workers died this many times is failed instead of claimed again.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>How often a running task's progress is recorded (tasks.progress, then status.progress).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How often an idle worker looks for tasks when no notification arrives.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
}
