namespace Packyard.Kubernetes.Models;

/// <summary>One line of a watch stream. For <c>ERROR</c> events the object is a <see cref="Status"/> instead.</summary>
public sealed class WatchEvent<T>
{
    /// <summary>One of <see cref="WatchEventType"/>.</summary>
    public string Type { get; set; } = "";

    public T? Object { get; set; }
}
