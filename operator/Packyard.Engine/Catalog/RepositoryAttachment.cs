namespace Packyard.Engine.Catalog;

/// <summary>The engine's repository for a Repository resource, and what was restored when it was one kept since a deletion.</summary>
public sealed record RepositoryAttachment(long Id, RestoredRepository? Restored);
