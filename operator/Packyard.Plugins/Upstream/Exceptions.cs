namespace Packyard.Plugins;

/// <summary>A failure the user can act on. <see cref="Reason"/> becomes the condition reason.</summary>
public abstract class PackyardException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Reason { get; } = reason;
}

/// <summary>Upstream metadata is malformed, hostile or too large.</summary>
public sealed class InvalidUpstreamMetadataException(string message, Exception? inner = null)
    : PackyardException("InvalidUpstreamMetadata", message, inner);

/// <summary>The upstream could not be reached or answered with an error.</summary>
public sealed class UpstreamUnavailableException(string message, Exception? inner = null)
    : PackyardException("UpstreamUnavailable", message, inner);

/// <summary>A downloaded artifact did not match the digest its metadata declared.</summary>
public sealed class ArtifactDigestException(string message, Exception? inner = null)
    : PackyardException("DigestMismatch", message, inner);

/// <summary>An uploaded package was refused.</summary>
public sealed class InvalidUploadException(string message, int statusCode = 400)
    : PackyardException("InvalidUpload", message)
{
    public int StatusCode { get; } = statusCode;
}
