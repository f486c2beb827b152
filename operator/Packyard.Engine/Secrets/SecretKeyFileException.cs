namespace Packyard.Engine.Secrets;

/// <summary>The secret key file cannot be read or holds no 256-bit key; the message names the file and how to make one.</summary>
public sealed class SecretKeyFileException(string message, Exception? innerException = null) : InvalidOperationException(message, innerException);
