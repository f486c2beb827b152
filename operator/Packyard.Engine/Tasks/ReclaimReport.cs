namespace Packyard.Engine.Tasks;

/// <summary>What a reclaim task removed (tasks.result).</summary>
public sealed record ReclaimReport(long ContentUnits, long Artifacts, long Bytes);
