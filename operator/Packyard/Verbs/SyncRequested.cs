namespace Packyard.Verbs;

/// <summary>The answer to a sync request: the value set on <c>packyard.io/requested-at</c>, which status echoes in lastHandledRequest.</summary>
public sealed record SyncRequested(string Namespace, string Name, string RequestedAt);
