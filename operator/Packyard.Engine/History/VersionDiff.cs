namespace Packyard.Engine.History;

/// <summary>The units in <see cref="To"/> but not in <see cref="From"/> (added), and in <see cref="From"/> but not in <see cref="To"/> (removed).</summary>
public sealed record VersionDiff(long From, long To, IReadOnlyList<UnitChange> Added, IReadOnlyList<UnitChange> Removed);
