using System.Diagnostics;
using System.Globalization;
using System.Net;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;
using Packyard.Tests.Kubernetes.Operator;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// The operator's watches on a control plane of their own, whose kube-apiserver the tests restart (etcd keeps the data): the
/// connections the API server drops, and a resume from a resourceVersion etcd has compacted away (410 Gone), lose no update.
/// The operator runs with a one-hour resync, so only its watches (and the relists they cause) can notice a change.
/// </summary>
public sealed class OperatorModeWatchResilienceTests
{
    // The API server compacts etcd every 2 s (to the revision of the previous round): a resourceVersion is gone seconds after.
    private static readonly string[] CompactingApiServer = ["--etcd-compaction-interval=2s"];

    [Fact]
    public async Task Changes_made_just_before_and_just_after_a_kube_apiserver_restart_are_all_reconciled()
    {
        await using var environment = await KubernetesEnvironment.StartAsync(CompactingApiServer);
        await using var cluster = await OperatorCluster.StartAsync("watchrestart", environment);
        var replica = cluster.StartReplica("replica-a", cluster.OperatorKubeconfig, shortLease: false, resync: "1h");
        using var manifests = new TemporaryDirectory();
        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/", "-f", manifests.Write("extra.yaml", Repositories("before", "after")));
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/quickstart", "repository/before", "repository/after", "distribution/quickstart");

        // A request the watch may still be carrying when the API server goes away.
        await cluster.Kubectl.SucceedAsync("annotate", "repository", "before", "packyard.io/requested-at=before-restart", "--overwrite");
        await environment.RestartApiServerAsync(TimeSpan.FromSeconds(2));
        // Changes right after the restart, while the operator's watches reconnect: a request, a new object, a spec change.
        await cluster.Kubectl.SucceedAsync("annotate", "repository", "after", "packyard.io/requested-at=after-restart", "--overwrite");
        await cluster.Kubectl.SucceedAsync("apply", "-f", manifests.Write("new.yaml", Repositories("created-after")));
        await cluster.Kubectl.SucceedAsync("patch", "distribution", "quickstart", "--type=merge", "-p", "{\"spec\":{\"basePath\":\"files/moved\"}}");

        await OperatorModeTests.WaitAsync(cluster, replica, "--for=jsonpath={.status.lastHandledRequest}=before-restart", "repository/before");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=jsonpath={.status.lastHandledRequest}=after-restart", "repository/after");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/created-after");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=jsonpath={.status.observedGeneration}=2", "distribution/quickstart");
        Assert.Equal(HttpStatusCode.OK, (await replica.Http.GetAsync("files/moved/PULP_MANIFEST")).StatusCode);
    }

    [Fact]
    public async Task A_watch_resumed_from_a_compacted_resource_version_relists_and_misses_no_change()
    {
        await using var environment = await KubernetesEnvironment.StartAsync(CompactingApiServer);
        await using var cluster = await OperatorCluster.StartAsync("watchgone", environment);
        var replica = cluster.StartReplica("replica-a", cluster.OperatorKubeconfig, shortLease: false, resync: "1h");
        using var manifests = new TemporaryDirectory();
        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/", "-f", manifests.Write("extra.yaml", Repositories("requested", "deleted")));
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/quickstart", "repository/requested", "repository/deleted");
        var lastSeen = await cluster.Kubectl.SucceedAsync("get", "repository", "requested", "-o", "jsonpath={.metadata.resourceVersion}");

        // The operator is frozen (SIGSTOP) while the API server restarts (dropping its watches; nothing is left in flight), the
        // resources change, and etcd compacts past its last resourceVersion; thawed, it resumes its watches from a
        // resourceVersion that is gone, and only a new list can show it the changes.
        Signal(replica, "STOP");
        var mark = environment.Audit.Mark();
        try
        {
            await environment.RestartApiServerAsync();
            await cluster.Kubectl.SucceedAsync("annotate", "repository", "requested", "packyard.io/requested-at=while-frozen", "--overwrite");
            await cluster.Kubectl.SucceedAsync("apply", "-f", manifests.Write("new.yaml", Repositories("created")));
            await cluster.Kubectl.SucceedAsync("delete", "repository", "deleted", "--wait=false");
            await Task.Delay(TimeSpan.FromSeconds(5)); // two compaction rounds
            // The API server itself now answers a watch from that resourceVersion with 410 Gone (Expired).
            await WaitForGoneAsync(environment, cluster.Namespace, lastSeen);
        }
        finally
        {
            Signal(replica, "CONT");
        }

        await OperatorModeTests.WaitAsync(cluster, replica, "--for=jsonpath={.status.lastHandledRequest}=while-frozen", "repository/requested");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/created");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=delete", "repository/deleted");
        // It got there by listing again, not by a resync (one hour, and a resync reads the cache) or a restart. Usually the resumed
        // watch gets the 410 and the log says "expired; listing again"; when the restarted server first answers the resume with
        // another error, the informer retries with a new list all the same, so the list itself is what is asserted.
        Assert.Contains(environment.Audit.Since(mark), r => r.User == cluster.OperatorUser && r.Verb == "list" && r.Resource == "repositories");
        // A deletion the cache saw late is no failure: the finalizer's removal finds the object gone and is done.
        Assert.DoesNotContain($"Reconcile of Repository {cluster.Namespace}/deleted failed", replica.Output, StringComparison.Ordinal);
        Assert.False(replica.HasExited);
    }

    /// <summary>A file Repository per name on the quickstart's Remote.</summary>
    private static string Repositories(params string[] names) => string.Join("---\n", names.Select(name => $$"""
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: {{name}} }
        spec: {type: file, remoteRef: {name: quickstart-upstream} }

        """));

    /// <summary>Waits until a watch of Repositories from <paramref name="resourceVersion"/> is answered with 410 (or an ERROR event with code 410).</summary>
    private static async Task WaitForGoneAsync(KubernetesEnvironment environment, string @namespace, string resourceVersion)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            using var response = await environment.Http.GetAsync(
                $"/apis/packyard.io/v1alpha1/namespaces/{@namespace}/repositories?watch=true&timeoutSeconds=1&resourceVersion={resourceVersion}");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == HttpStatusCode.Gone || last.Contains("\"code\":410", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"a watch from resourceVersion {resourceVersion} is not gone after 30 s: {last}");
    }

    private static void Signal(PackyardProcess replica, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", replica.ProcessId.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
