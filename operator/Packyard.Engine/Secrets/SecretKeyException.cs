using Packyard.Engine.Downloads;

namespace Packyard.Engine.Secrets;

/// <summary>Stored credentials cannot be decrypted: another secret key wrote them, or the row was damaged.</summary>
public sealed class SecretKeyException(string message, Exception? inner = null)
    : PackyardException("SecretKeyMismatch", message, inner);
