namespace Packyard.Server;

/// <summary>Pull-through settings.</summary>
public sealed record PullThroughOptions
{
    /// <summary>How long the first missing-project request waits for others to join its batch (one sync, one version).</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(100);
}
