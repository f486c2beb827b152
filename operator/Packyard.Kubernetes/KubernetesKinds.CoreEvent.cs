using Packyard.Kubernetes.Models;

namespace Packyard.Kubernetes;

public static partial class KubernetesKinds
{
    /// <summary>core/v1 Events, the kind <c>kubectl describe</c> lists under an object.</summary>
    public static readonly ResourceKind<CoreEvent> CoreEvent = new(
        "", "v1", "Event", "events", true, o => o.Metadata, KubernetesJsonContext.Default.CoreEvent, KubernetesJsonContext.Default.KubernetesListCoreEvent,
        KubernetesJsonContext.Default.WatchEventCoreEvent);
}
