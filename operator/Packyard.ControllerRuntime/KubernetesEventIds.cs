namespace Packyard.ControllerRuntime;

/// <summary>Log event ids of the Kubernetes client (7000s).</summary>
public static class KubernetesEventIds
{
    public const int Request = 7000;
    public const int WatchClosed = 7001;
    public const int WatchFailed = 7002;
}
