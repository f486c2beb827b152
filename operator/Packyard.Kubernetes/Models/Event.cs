using Packyard.Api.Resources;

namespace Packyard.Kubernetes.Models;

/// <summary>An <c>events.k8s.io/v1</c> Event.</summary>
public sealed class Event
{
    public string ApiVersion { get; set; } = "events.k8s.io/v1";
    public string Kind { get; set; } = "Event";
    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>MicroTime of the first occurrence (required by the API).</summary>
    public DateTimeOffset? EventTime { get; set; }

    public string? ReportingController { get; set; }
    public string? ReportingInstance { get; set; }
    public string? Action { get; set; }
    public string? Reason { get; set; }
    public ObjectReference? Regarding { get; set; }
    public string? Note { get; set; }

    /// <summary><c>Normal</c> or <c>Warning</c>.</summary>
    public string? Type { get; set; }

    public EventSeries? Series { get; set; }
}
