using System.Globalization;
using Packyard.Api.Resources;

namespace Packyard.Manifests;

/// <summary>
/// The numbers of a Remote spec a download can actually use, checked where manifests are validated and where settings are
/// built, so a value the API server let through (an older CRD, or its integer truncation of <c>minimum: 0.001</c>) stalls the
/// Remote with a message instead of reaching the downloader.
/// </summary>
public static class RemoteSpecRules
{
    public const double MinRateLimit = 0.001;
    public const double MaxRateLimit = 1_000_000;
    public const int MinConcurrency = 1;
    public const int MaxConcurrency = 64;
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    /// <summary>What is wrong with the spec's numbers, one message per field naming it; empty when they are usable.</summary>
    public static IReadOnlyList<string> Problems(RemoteSpec spec) => [.. Check(spec).Select(v => v.Message)];

    internal static IEnumerable<FieldViolation> Check(RemoteSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.RateLimit is { } rate && !(rate is >= MinRateLimit and <= MaxRateLimit))
        {
            yield return new FieldViolation("spec.rateLimit", string.Create(CultureInfo.InvariantCulture,
                $"spec.rateLimit: must be between {MinRateLimit} and {MaxRateLimit} requests per second (omit it for no limit), got {rate}"));
        }

        if (spec.DownloadConcurrency is < MinConcurrency or > MaxConcurrency)
        {
            yield return new FieldViolation("spec.downloadConcurrency", string.Create(CultureInfo.InvariantCulture,
                $"spec.downloadConcurrency: must be between {MinConcurrency} and {MaxConcurrency}, got {spec.DownloadConcurrency}"));
        }

        if (!GoDuration.TryParse(spec.Timeout, out var timeout, out var error))
        {
            yield return new FieldViolation("spec.timeout", "spec.timeout: " + error);
        }
        else if (timeout < MinTimeout || timeout > MaxTimeout)
        {
            yield return new FieldViolation("spec.timeout", $"spec.timeout: must be between 1s and 24h, got {spec.Timeout}");
        }
    }
}
