namespace Packyard.Engine.Storage;

/// <summary>A verified copy of incoming content in a temporary file; the owner moves or deletes it.</summary>
internal sealed record SpooledContent(string Path, string Sha256, long Size);
