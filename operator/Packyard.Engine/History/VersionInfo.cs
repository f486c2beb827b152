namespace Packyard.Engine.History;

/// <summary>One version of a repository: its number, when it was created, what it changed and held, and why it was made.</summary>
public sealed record VersionInfo(long Number, DateTimeOffset Created, long Added, long Removed, long ContentCount, string Reason, bool Published);
