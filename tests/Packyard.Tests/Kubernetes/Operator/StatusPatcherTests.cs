using System.Text.Json.Nodes;
using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>The runtime's status patcher on the real API server: the smallest merge patch on /status, or no request at all.</summary>
public sealed class StatusPatcherTests() : NamespacedEnvtestTest("status")
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task An_unchanged_status_makes_no_request_a_changed_one_one_patch_and_a_deleted_object_is_NotFound()
    {
        await Client.CreateAsync(KubernetesKinds.Remote, new Remote
        {
            Metadata = new V1ObjectMeta { Name = "upstream", NamespaceProperty = Namespace },
            Spec = new RemoteSpec { Type = ContentType.File, Url = "https://example.com/files/" },
        }, None);
        var patcher = new StatusPatcher(Client);
        var before = new JsonObject { ["observedGeneration"] = 1, ["lastHandledRequest"] = "a" };
        var mark = Environment.Audit.Mark();

        var answers = new List<Remote>();
        var unchanged = await patcher.PatchAsync(KubernetesKinds.Remote, Namespace, "upstream", before, before.DeepClone(), answers.Add, None);
        var patched = await patcher.PatchAsync(KubernetesKinds.Remote, Namespace, "upstream", null, before, answers.Add, None);
        var changed = await patcher.PatchAsync(KubernetesKinds.Remote, Namespace, "upstream", before, new JsonObject { ["observedGeneration"] = 1 }, answers.Add, None);

        Assert.Equal((StatusPatchResult.Unchanged, StatusPatchResult.Patched, StatusPatchResult.Patched), (unchanged, patched, changed));
        // Each patch hands over the API server's answer (what an informer caches before its watch event arrives).
        Assert.Equal([("a", 1L), (null, 1L)], answers.Select(a => (a.Status!.LastHandledRequest, a.Status.ObservedGeneration!.Value)));
        var writes = Environment.Audit.Since(mark).Where(e => e.IsWrite && e.Namespace == Namespace).ToList();
        Assert.Equal(2, writes.Count);
        Assert.All(writes, w => Assert.Equal(("patch", "status"), (w.Verb, w.Subresource)));
        var stored = await Client.GetAsync(KubernetesKinds.Remote, Namespace, "upstream", None);
        Assert.Equal((1L, (string?)null), (stored.Status!.ObservedGeneration, stored.Status.LastHandledRequest));

        await Client.DeleteAsync(KubernetesKinds.Remote, Namespace, "upstream", None);
        Assert.Equal(StatusPatchResult.NotFound, await patcher.PatchAsync(KubernetesKinds.Remote, Namespace, "upstream", null, before, null, None));
    }
}
