namespace Packyard.Engine.Storage;

/// <summary>The content did not match the digest or size its metadata declared.</summary>
/// <param name="name">The artifact's name or URL.</param>
/// <param name="expected">What was declared, e.g. <c>sha256 ab12…</c> or <c>1024 bytes</c>.</param>
/// <param name="actual">What the content had, in the same form.</param>
public sealed class DigestMismatchException(string name, string expected, string actual)
    : Exception($"{name}: expected {expected} but downloaded content has {actual}")
{
    /// <summary>Condition reason for this failure: <see cref="ArtifactStoreReasons.DigestMismatch"/>.</summary>
    public string Reason => ArtifactStoreReasons.DigestMismatch;

    public string Name { get; } = name;
    public string Expected { get; } = expected;
    public string Actual { get; } = actual;
}
