using System.Text.Json.Nodes;
using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>The runtime's status patcher on the real API server: the smallest merge patch on /status, or no request at all.</summary>
public sealed class StatusPatcherTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private KubernetesEnvironment environment = null!;
    private ResourceClient client = null!;
    private string ns = null!;

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        ns = await environment.CreateNamespaceAsync("status");
        client = environment.ResourceClient();
    }

    public Task DisposeAsync()
    {
        client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_unchanged_status_makes_no_request_a_changed_one_one_patch_and_a_deleted_object_is_NotFound()
    {
        await client.CreateAsync(KubernetesKinds.Remote, new Remote
        {
            Metadata = new V1ObjectMeta { Name = "upstream", NamespaceProperty = ns },
            Spec = new RemoteSpec { Type = ContentType.File, Url = "https://example.com/files/" },
        }, None);
        var patcher = new StatusPatcher(client);
        var before = new JsonObject { ["observedGeneration"] = 1, ["lastHandledRequest"] = "a" };
        var mark = environment.Audit.Mark();

        var answers = new List<Remote>();
        var unchanged = await patcher.PatchAsync(KubernetesKinds.Remote, ns, "upstream", before, before.DeepClone(), answers.Add, None);
        var patched = await patcher.PatchAsync(KubernetesKinds.Remote, ns, "upstream", null, before, answers.Add, None);
        var changed = await patcher.PatchAsync(KubernetesKinds.Remote, ns, "upstream", before, new JsonObject { ["observedGeneration"] = 1 }, answers.Add, None);

        Assert.Equal((StatusPatchResult.Unchanged, StatusPatchResult.Patched, StatusPatchResult.Patched), (unchanged, patched, changed));
        // Each patch hands over the API server's answer (what an informer caches before its watch event arrives).
        Assert.Equal([("a", 1L), (null, 1L)], answers.Select(a => (a.Status!.LastHandledRequest, a.Status.ObservedGeneration!.Value)));
        var writes = environment.Audit.Since(mark).Where(e => e.IsWrite && e.Namespace == ns).ToList();
        Assert.Equal(2, writes.Count);
        Assert.All(writes, w => Assert.Equal(("patch", "status"), (w.Verb, w.Subresource)));
        var stored = await client.GetAsync(KubernetesKinds.Remote, ns, "upstream", None);
        Assert.Equal((1L, (string?)null), (stored.Status!.ObservedGeneration, stored.Status.LastHandledRequest));

        await client.DeleteAsync(KubernetesKinds.Remote, ns, "upstream", None);
        Assert.Equal(StatusPatchResult.NotFound, await patcher.PatchAsync(KubernetesKinds.Remote, ns, "upstream", null, before, null, None));
    }
}
