namespace Packyard.Plugins;

/// <summary>
/// What a unit needs beside it in a repository version (optional, per type). A promotion carries the closure of its selection:
/// every unit a carried unit <see cref="UnitDependencies.Requires"/>, and every unit that <see cref="UnitDependencies.Accompanies"/> a
/// carried one, until nothing more is added; keys the source version does not hold are skipped. A type without it carries
/// exactly the selection.
/// </summary>
public interface IContentDependencies
{
    /// <summary>The dependencies of the unit <paramref name="naturalKey"/> with metadata <paramref name="metadataJson"/> (as declared).</summary>
    UnitDependencies Of(string naturalKey, string name, string metadataJson);
}
