namespace Packyard.Manifests;

/// <summary>A problem in a manifest, at a 1-based line and column of a file.</summary>
public sealed record ManifestError(string File, int Line, int Column, string Message)
{
    /// <summary><c>path:line:column: message</c>, the format compilers and editors understand.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
