namespace Packyard.Plugins;

/// <summary>A distribution to describe client set-up for: its URL (with a trailing slash), its name, whether its Repository takes uploads.</summary>
public sealed record ClientSetupContext(Uri Url, string DistributionName, bool UploadsEnabled);
