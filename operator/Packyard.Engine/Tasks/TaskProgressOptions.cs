namespace Packyard.Engine.Tasks;

/// <summary>How often a worker records a running task's progress (<see cref="TaskProgressStore"/>).</summary>
public sealed record TaskProgressOptions
{
    /// <summary>
    /// At most one progress write (and one status update of the resource) per task in this time; a task that ends sooner records
    /// none. A 10,000-file sync of a minute thus updates its Repository's status about 20 times, not once per file.
    /// </summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(3);
}
