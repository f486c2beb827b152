namespace Packyard.Verbs;

/// <summary>An event as <c>packyard events</c> shows it, from standalone's recent events or the cluster's Events.</summary>
public sealed record EventView(DateTimeOffset? Time, string Type, string Kind, string Namespace, string Name, string Reason, string Message, int Count = 1);
