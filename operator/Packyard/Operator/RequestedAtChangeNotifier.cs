using System.Globalization;
using System.Text.Json.Nodes;
using Packyard.Api.Schema;
using Packyard.ControllerRuntime;
using Packyard.Server;

namespace Packyard.Operator;

/// <summary>
/// A content-only replica cannot reach the controller's queue: after an upload created a version it asks for a reconcile
/// the way a user does, by setting <c>packyard.io/requested-at</c> on the Repository (the controller then publishes).
/// </summary>
public sealed class RequestedAtChangeNotifier(ResourceClient client, TimeProvider time) : IRepositoryChangeNotifier
{
    public void VersionCreated(string ns, string repository)
    {
        var value = "upload-" + time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss.fffffff'Z'", CultureInfo.InvariantCulture);
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [PackyardGroup.RequestedAtAnnotation] = value } } };
        // Fire and forget: the upload has succeeded; at worst the version is published at the next resync.
        _ = client.PatchAsync(PackyardKinds.Repository, ns, repository, KubernetesPatch.Merge(patch), null, CancellationToken.None)
            .ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
    }
}
