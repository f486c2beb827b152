using Packyard.Plugins;

namespace Packyard.Content.Deb;

/// <summary>A distribution has neither InRelease nor Release upstream.</summary>
public sealed class ReleaseFileNotFoundException(string message) : PackyardException("ReleaseFileNotFound", message);
