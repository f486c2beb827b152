namespace Packyard.Plugins;

/// <summary>
/// A kind of unit a type counts apart in a Repository's <c>status.contentCounts</c> (container: tags, manifests, blobs):
/// <paramref name="Plural"/> names the count, <paramref name="NaturalKeyPrefix"/> picks its units.
/// </summary>
public sealed record ContentKind(string Plural, string NaturalKeyPrefix);
