namespace Packyard.Plugins;

/// <summary>
/// A unit's links to others, by natural key. <paramref name="Requires"/>: units it cannot be served without (a container tag's
/// manifest, a manifest's blobs and index children). <paramref name="Accompanies"/>: units it belongs with, so it is carried
/// whenever one of them is (a signature or SBOM with its subject).
/// </summary>
public sealed record UnitDependencies(IReadOnlyList<string> Requires, IReadOnlyList<string> Accompanies)
{
    public static UnitDependencies None { get; } = new([], []);
}
