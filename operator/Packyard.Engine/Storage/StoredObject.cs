namespace Packyard.Engine.Storage;

/// <summary>An object in the artifact store, as a listing gives it.</summary>
public sealed record StoredObject(string Sha256, DateTimeOffset LastModified);
