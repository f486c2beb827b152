namespace Packyard.Engine.Tasks;

/// <summary>When orphan cleanup runs (--orphan-cleanup-interval) and what it spares.</summary>
public sealed record ReclaimOptions
{
    /// <summary>A reclaim task is queued when none was within this interval.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Content units and artifacts created within this time are kept even when nothing references them.</summary>
    public TimeSpan Protection { get; init; } = TimeSpan.FromHours(1);
}
