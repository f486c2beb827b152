using System.Text.Json;

namespace Packyard.Engine.Tasks;

/// <summary>How a task ended, as a worker stores it: succeeded or failed, the message (tasks.error) and the kind's report (tasks.result).</summary>
public sealed class TaskResult
{
    private TaskResult(bool succeeded, string? message, string json)
    {
        Succeeded = succeeded;
        Message = message;
        Json = json;
    }

    public bool Succeeded { get; }

    public string? Message { get; }

    internal string Json { get; }

    public static TaskResult Of(SyncReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.Succeeded, report.Message, JsonSerializer.Serialize(report, TaskJsonContext.Default.SyncReport));
    }

    public static TaskResult Of(PublishReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.Succeeded, report.Message, JsonSerializer.Serialize(report, TaskJsonContext.Default.PublishReport));
    }

    public static TaskResult Of(PromoteReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.Succeeded, report.Message, JsonSerializer.Serialize(report, TaskJsonContext.Default.PromoteReport));
    }

    public static TaskResult Of(ReclaimReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(true, null, JsonSerializer.Serialize(report, TaskJsonContext.Default.ReclaimReport));
    }

    /// <summary>
    /// A failure of any kind: the report's common fields (succeeded, reason, message; start and completion time), which every
    /// kind's report reads, so a task given up or failed by its worker reports the same way whatever its kind.
    /// </summary>
    public static TaskResult Failure(string reason, string message, DateTimeOffset now) =>
        Of(SyncReport.Failure(now, now, reason, message));
}
