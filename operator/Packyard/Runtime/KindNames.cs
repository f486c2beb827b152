namespace Packyard.Runtime;

/// <summary>
/// The kind names Packyard reconciles or reads, as manifests and the API spell them. The one place they are written:
/// everything else names a kind through these constants or <see cref="KindRegistry"/>.
/// </summary>
public static class KindNames
{
    public const string Remote = "Remote";
    public const string Repository = "Repository";
    public const string Distribution = "Distribution";
    public const string Promotion = "Promotion";

    /// <summary>Read (credentials, keys, content guards), never reconciled.</summary>
    public const string Secret = "Secret";
}
