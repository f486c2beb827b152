namespace Packyard.Engine.Storage;

/// <summary>
/// The content did not match the digest or size its metadata declared. The message names what was declared and which of the
/// two differs, never the digest or size of what was read: that would tell whoever reads the message (an HTTP client, a
/// status) about content that may not be theirs to know.
/// </summary>
/// <param name="declared">What the metadata declared; its name (the artifact's name or URL) starts the message.</param>
/// <param name="sizeDiffers">True when the size differs, false when the size matched (or none was declared) and the sha256 differs.</param>
public sealed class DigestMismatchException(ExpectedDigest declared, bool sizeDiffers)
    : Exception($"{declared.Name}: downloaded content does not have the declared {(sizeDiffers ? "size" : "sha256")} (declared: {Describe(declared)})")
{
    /// <summary>Condition reason for this failure: <see cref="ArtifactStoreReasons.DigestMismatch"/>.</summary>
    public string Reason => ArtifactStoreReasons.DigestMismatch;

    public string Name => Declared.Name;

    public ExpectedDigest Declared { get; } = declared;

    public bool SizeDiffers { get; } = sizeDiffers;

    private static string Describe(ExpectedDigest declared) => (declared.Sha256, declared.Size) switch
    {
        ({ } sha256, { } size) => $"sha256 {sha256.ToLowerInvariant()}, {size} bytes",
        ({ } sha256, null) => $"sha256 {sha256.ToLowerInvariant()}",
        (null, { } size) => $"{size} bytes",
        _ => "nothing",
    };
}
