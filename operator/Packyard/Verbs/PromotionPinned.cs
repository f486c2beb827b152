namespace Packyard.Verbs;

/// <summary>What <c>packyard promote</c> did: the Promotion's spec.sourceVersion set to <see cref="Version"/>, in a file or in the cluster.</summary>
public sealed record PromotionPinned(string Namespace, string Name, long Version, string Where);
