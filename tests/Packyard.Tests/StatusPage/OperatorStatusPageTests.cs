using System.Net;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.Operator;

namespace Packyard.Tests.StatusPage;

/// <summary>
/// In a cluster the status page is opt-in: <c>packyard operator --ui</c> serves it from what the real API server holds, and a
/// content replica without the flag answers <c>/</c> as before (404).
/// </summary>
public sealed class OperatorStatusPageTests
{
    [Fact]
    public async Task Operator_with_ui_serves_the_status_page_from_the_api_server_and_without_it_serves_none()
    {
        await using var cluster = await OperatorCluster.StartAsync("operatorstatuspage");
        var replica = cluster.StartOperator("replica-a", "10s", "--ui");
        using var directory = new TemporaryDirectory();
        var manifest = directory.Write("files.yaml", """
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: upstream}
            spec: {type: file, url: "file:upstream/"}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: site}
            spec: {type: file, remoteRef: {name: upstream}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: site}
            spec: {basePath: operator/site, repositoryRef: {name: site}}
            """);
        await cluster.Kubectl.SucceedAsync("apply", "-f", manifest);
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/site", "distribution/site");

        var page = await replica.Http.GetStringAsync("");
        var ns = cluster.Namespace;
        Assert.Contains($"<a class=\"versions\" href=\"/-/repositories/{ns}/site\">", page, StringComparison.Ordinal);
        Assert.Contains($"Remote {ns}/upstream <span class=\"badge ready True\">Ready True</span>", page, StringComparison.Ordinal);
        Assert.Contains($"curl -fsSL {replica.BaseUrl}operator/site/PULP_MANIFEST", page, StringComparison.Ordinal);
        var repository = await replica.Http.GetStringAsync($"-/repositories/{ns}/site");
        Assert.Contains("Versions (2)", repository, StringComparison.Ordinal); // 0 and the sync's 1

        var content = cluster.StartReplica("replica-b", cluster.ReplicaKubeconfig("replica-b"), shortLease: false, "10s", "--role", "content");
        await content.WaitUntilAsync("the content replica serves the distribution", async () =>
        {
            try
            {
                return (await content.Http.GetAsync("operator/site/PULP_MANIFEST")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        });
        using var none = await content.Http.GetAsync("");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }
}
