using System.Globalization;
using Packyard.Api.Resources;

namespace Packyard.Manifests;

/// <summary>
/// The numbers of a Remote spec a download can actually use (<see cref="RemoteLimits"/>), checked where settings are built, so
/// a value the API server let through (an older CRD, or its integer truncation of <c>minimum: 0.001</c>) stalls the Remote
/// with a message naming the field instead of reaching the downloader.
/// </summary>
public static class RemoteSpecRules
{
    /// <summary>What is wrong with the spec's numbers, one message per field; empty when they are usable.</summary>
    public static IReadOnlyList<string> Problems(RemoteSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = new List<string>();
        if (spec.RateLimit is { } rate && !(rate is >= RemoteLimits.MinRateLimit and <= RemoteLimits.MaxRateLimit))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{RemoteLimits.RateLimitMessage}, got {rate}"));
        }

        if (spec.DownloadConcurrency is < RemoteLimits.MinConcurrency or > RemoteLimits.MaxConcurrency)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"spec.downloadConcurrency must be between {RemoteLimits.MinConcurrency} and {RemoteLimits.MaxConcurrency}, got {spec.DownloadConcurrency}"));
        }

        if (TimeoutProblem(spec.Timeout) is { } timeout)
        {
            problems.Add(timeout);
        }

        return problems;
    }

    /// <summary>Why spec.timeout is unusable (not a Go duration, or outside 1s..24h); null when it is fine.</summary>
    public static string? TimeoutProblem(string timeout)
    {
        if (!GoDuration.TryParse(timeout, out var value, out var error))
        {
            return "spec.timeout: " + error;
        }

        return value < RemoteLimits.MinTimeout || value > RemoteLimits.MaxTimeout ? $"{RemoteLimits.TimeoutMessage}, got {timeout}" : null;
    }
}
