using Packyard.Api.Resources;

namespace Packyard.Plugins;

/// <summary>
/// A distribution to describe client set-up for: its URL (with a trailing slash), its name, whether its Repository takes uploads,
/// and the spec of its pull-through Remote when it has one (<c>spec.pullThrough</c>; null otherwise).
/// </summary>
public sealed record ClientSetupContext(Uri Url, string DistributionName, bool UploadsEnabled, RemoteSpec? PullThroughRemote = null);
