namespace Packyard.Kubernetes.Models;

/// <summary>events.k8s.io/v1 EventSeries: a repeated event.</summary>
public sealed class EventSeries
{
    public int Count { get; set; }
    public DateTimeOffset LastObservedTime { get; set; }
}
