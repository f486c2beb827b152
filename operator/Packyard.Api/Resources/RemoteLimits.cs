namespace Packyard.Api.Resources;

/// <summary>The bounds of a Remote's numbers: the CRD's rules, manifest validation and the settings builder use the same ones.</summary>
public static class RemoteLimits
{
    public const double MinRateLimit = 0.001;
    public const double MaxRateLimit = 1_000_000;
    public const int MinConcurrency = 1;
    public const int MaxConcurrency = 64;
    public const string RateLimitMessage = "spec.rateLimit must be between 0.001 and 1000000 requests per second (omit it for no limit)";
    public const string TimeoutMessage = "spec.timeout must be between 1s and 24h";
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);
}
