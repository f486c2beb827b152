namespace Packyard.Engine.History;

/// <summary>A content unit added or removed between two versions, by name and version (null for types without versions, such as file).</summary>
public sealed record UnitChange(string Name, string? Version);
