namespace Packyard.Engine.Storage;

/// <summary>An object in the store.</summary>
/// <param name="Sha256">Lower-case hex sha256 of the content.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record StoredArtifact(string Sha256, long Size);
