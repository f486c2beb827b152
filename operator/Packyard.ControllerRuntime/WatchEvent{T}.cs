using k8s;

namespace Packyard.ControllerRuntime;

/// <summary>One event of a watch. A bookmark's object carries only the resourceVersion it marks.</summary>
public sealed class WatchEvent<T>
    where T : class
{
    public WatchEventType Type { get; init; }

    public T? Object { get; init; }
}
