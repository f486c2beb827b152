namespace Packyard.Content.Container;

/// <summary>An upstream manifest Packyard does not keep: malformed, too large, schema 1, or with digests it cannot store.</summary>
internal sealed class ManifestException(string message) : PackyardException("InvalidManifest", message);
