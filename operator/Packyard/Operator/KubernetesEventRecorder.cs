using k8s.Models;
using Packyard.Api.Schema;
using Packyard.ControllerRuntime;
using Packyard.Controllers;
using Packyard.Engine.Downloads;

namespace Packyard.Operator;

/// <summary>
/// The reconcilers' events, written by the runtime's <see cref="EventRecorder"/> as core/v1 Events on the Packyard objects
/// they concern, with the object's uid from the leader's cache. Messages pass through the URL sanitiser (no user-info or
/// query strings).
/// </summary>
public sealed class KubernetesEventRecorder(EventRecorder recorder) : IEventRecorder
{
    /// <summary>The component named in every Event's source.</summary>
    public const string Component = "packyard-controller";

    private volatile Func<string, string, string, string?>? uidOf;

    /// <summary>Where involvedObject.uid comes from (the leader's informer cache).</summary>
    public void UseUids(Func<string, string, string, string?>? lookup) => uidOf = lookup;

    public void Record(string kind, string ns, string name, bool warning, string reason, string message) =>
        recorder.Record(
            new V1ObjectReference { ApiVersion = PackyardGroup.ApiVersion, Kind = kind, NamespaceProperty = ns, Name = name, Uid = uidOf?.Invoke(kind, ns, name) },
            warning, reason, UrlSanitizer.Sanitize(message));
}
