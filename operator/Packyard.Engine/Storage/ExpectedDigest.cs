namespace Packyard.Engine.Storage;

/// <summary>What upstream metadata declared about an artifact.</summary>
/// <param name="Sha256">The declared sha256 (hex, either case), or null when the metadata gives none.</param>
/// <param name="Size">The declared size in bytes, or null when the metadata gives none.</param>
/// <param name="Name">The artifact's name or URL, used in error messages.</param>
public sealed record ExpectedDigest(string? Sha256, long? Size, string Name);
