namespace Packyard.Verbs;

/// <summary>A resource as <c>packyard get</c> lists it: Ready, its key figures in a few words, and the Ready message.</summary>
public sealed record ResourceRow(string Kind, string Namespace, string Name, string Ready, string Figures, string? Message);
