using Packyard.Api.Resources;

namespace Packyard.Kubernetes.Models;

/// <summary>
/// A core/v1 Event (what <c>kubectl describe</c> and <c>kubectl get events</c> show): repeats of one event are aggregated
/// by bumping <see cref="Count"/> and <see cref="LastTimestamp"/>, as client-go's record package does.
/// </summary>
public sealed class CoreEvent
{
    public string ApiVersion { get; set; } = "v1";
    public string Kind { get; set; } = "Event";
    public ObjectMeta Metadata { get; set; } = new();
    public ObjectReference? InvolvedObject { get; set; }
    public string? Reason { get; set; }
    public string? Message { get; set; }
    public EventSource? Source { get; set; }
    public DateTimeOffset? FirstTimestamp { get; set; }
    public DateTimeOffset? LastTimestamp { get; set; }
    public int? Count { get; set; }

    /// <summary><c>Normal</c> or <c>Warning</c>.</summary>
    public string? Type { get; set; }

    public string? ReportingComponent { get; set; }
    public string? ReportingInstance { get; set; }
}

/// <summary>The component (and host) that reported a <see cref="CoreEvent"/>.</summary>
public sealed class EventSource
{
    public string? Component { get; set; }
    public string? Host { get; set; }
}
