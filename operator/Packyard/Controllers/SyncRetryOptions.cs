namespace Packyard.Controllers;

/// <summary>
/// How failed syncs are retried, per Repository: after <see cref="InitialBackoff"/>, doubling up to <see cref="MaxBackoff"/>, with
/// ±20 % jitter, counted from the end of the last failure. A sync that ended without a result of its own (it threw, or the
/// process running it died) <see cref="MaxAttempts"/> times in a row stays failed until the Remote, its Secrets, the
/// Repository's spec or its <c>packyard.io/requested-at</c> annotation change.
/// </summary>
public sealed record SyncRetryOptions
{
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(10);

    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait after <paramref name="failures"/> failures in a row; <paramref name="seed"/> picks the jitter (stable for one failure).</summary>
    public TimeSpan Backoff(int failures, long seed)
    {
        var doubled = InitialBackoff.TotalSeconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var capped = Math.Min(doubled, MaxBackoff.TotalSeconds);
        var jitter = 0.8 + (0.4 * ((ulong)seed * 2654435761UL % 1000UL) / 1000.0);
        return TimeSpan.FromSeconds(capped * jitter);
    }
}
