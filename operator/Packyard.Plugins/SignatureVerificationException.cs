
namespace Packyard.Plugins;

/// <summary>Signed upstream metadata (InRelease, Release.gpg, repomd.xml.asc) is missing, unsigned, or not signed by a trusted key.</summary>
public sealed class SignatureVerificationException(string message, Exception? inner = null)
    : PackyardException("SignatureVerificationFailed", message, inner);
