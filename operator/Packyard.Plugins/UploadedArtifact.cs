namespace Packyard.Plugins;

/// <summary>An uploaded body as stored: lower-case hex sha256 and size in bytes.</summary>
public sealed record UploadedArtifact(string Sha256, long Size);
