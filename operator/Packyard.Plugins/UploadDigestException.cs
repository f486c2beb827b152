namespace Packyard.Plugins;

/// <summary>Uploaded bytes that do not have the digest the client declared; nothing of them was kept.</summary>
public sealed class UploadDigestException(string message) : Exception(message);
