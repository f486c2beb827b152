using Packyard.Engine.Downloads;

namespace Packyard.Content.Deb;

/// <summary>Signed upstream metadata (InRelease, Release.gpg) is missing, unsigned, or not signed by a trusted key.</summary>
public sealed class DebSignatureException(string message, Exception? inner = null)
    : PackyardException("SignatureVerificationFailed", message, inner);
