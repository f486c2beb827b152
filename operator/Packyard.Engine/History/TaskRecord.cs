using Packyard.Engine.Tasks;

namespace Packyard.Engine.History;

/// <summary>
/// A task as stored, for <c>packyard logs</c>: what it worked on, its state and times, the worker and attempts, its last
/// progress, and how it ended (the error or the outcome's message, sanitised). Never its args (they hold sealed keys).
/// </summary>
public sealed record TaskRecord(
    long Id, string Kind, string State, string? Resource, string? Worker, int Attempts, DateTimeOffset Created, DateTimeOffset? Started,
    DateTimeOffset? Finished, TaskProgress? Progress, string? Message);
