namespace Packyard.Manifests;

/// <summary>A 1-based line and column in a manifest file.</summary>
public readonly record struct SourceLocation(int Line, int Column);
