using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Packyard.ControllerRuntime;

/// <summary>
/// Writes a reconciler's status change as the smallest merge patch on the status subresource: only the members that
/// changed (removed ones as null), nothing when the status is unchanged, so a reconcile that changes nothing makes no write.
/// </summary>
public sealed class StatusPatcher(ResourceClient client)
{
    /// <summary>
    /// Patches the status from <paramref name="before"/> to <paramref name="after"/> (each the object's <c>status</c> as JSON).
    /// Returns <see cref="StatusPatchResult.Unchanged"/> without a request when they are equal, and
    /// <see cref="StatusPatchResult.NotFound"/> when the object is gone. <paramref name="written"/> gets the object as the API
    /// server answered the patch (give it to <see cref="Informer{T}.Written"/>, so the next reconcile sees it before the watch does).
    /// </summary>
    public async Task<StatusPatchResult> PatchAsync<T>(
        ResourceKind<T> kind, string? @namespace, string name, JsonNode? before, JsonNode? after, Action<T>? written, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (MergePatchDiff.Create(before, after) is not { } change)
        {
            return StatusPatchResult.Unchanged;
        }

        try
        {
            var result = await client.PatchStatusAsync(kind, @namespace, name, KubernetesPatch.Merge(new JsonObject { ["status"] = change }), null, cancellationToken)
                .ConfigureAwait(false);
            written?.Invoke(result);
            return StatusPatchResult.Patched;
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return StatusPatchResult.NotFound;
        }
    }
}
