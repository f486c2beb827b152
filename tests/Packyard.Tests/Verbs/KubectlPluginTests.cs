using System.Diagnostics;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Verbs;

/// <summary>
/// The same binary as a kubectl plugin: the real kubectl finds <c>kubectl-packyard</c> (the script beside <c>./packyard</c>) on
/// PATH, and the verbs act on the kubeconfig's cluster by default.
/// </summary>
public sealed class KubectlPluginTests
{
    [Fact]
    public async Task Kubectl_packyard_lists_the_resources_and_requests_a_sync_on_the_kubeconfigs_cluster()
    {
        await using var source = await VerbSource.StartAsync("cluster", "verbs-plugin", "a.txt");
        var cluster = source.Cluster!;
        await source.WaitForStatusAsync("mirror is Ready at version 1", "Repository", "mirror", s => VerbSource.IsReady(s) && (long?)s["latestVersion"] == 1);

        var list = await KubectlAsync(cluster.Kubectl.Kubeconfig, "packyard", "get", "-n", cluster.Namespace);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"(?m)^Repository\s+mirror\s+True\s+v1 1 units", list.Output);
        Assert.Matches(@"(?m)^Promotion\s+release\s+True", list.Output);

        var sync = await KubectlAsync(cluster.Kubectl.Kubeconfig, "packyard", "sync", "mirror", "-n", cluster.Namespace);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        var requested = await cluster.Kubectl.SucceedAsync("get", "repository", "mirror", "-o", "jsonpath={.metadata.annotations.packyard\\.io/requested-at}");
        Assert.Contains(requested, sync.Output, StringComparison.Ordinal);
        await source.WaitForStatusAsync("the request is handled", "Repository", "mirror", s => (string?)s["lastHandledRequest"] == requested);

        // What only the engine knows needs Packyard's API: the plugin says how to reach it.
        var versions = await KubectlAsync(cluster.Kubectl.Kubeconfig, "packyard", "versions", "mirror", "-n", cluster.Namespace);
        Assert.Equal(2, versions.ExitCode);
        Assert.Contains("--server", versions.Error, StringComparison.Ordinal);
        var withServer = await KubectlAsync(cluster.Kubectl.Kubeconfig, "packyard", "versions", "mirror", "-n", cluster.Namespace,
            "--server", source.Packyard.BaseUrl.ToString(), "--token", source.Token!);
        Assert.True(withServer.ExitCode == 0, withServer.ToString());
        Assert.Matches(@"(?m)^1\s+\d{4}-", withServer.Output);

        // Without a token Packyard's API refuses (operator mode's read endpoints are not anonymous).
        using var anonymous = new HttpClient();
        var refused = await anonymous.GetAsync(new Uri(source.Packyard.BaseUrl, $"api/v1/namespaces/{cluster.Namespace}/repositories/mirror/versions"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    /// <summary>The real kubectl with the repository root (where kubectl-packyard lives) first on PATH and KUBECONFIG set.</summary>
    private static async Task<VerbResult> KubectlAsync(string kubeconfig, params string[] arguments)
    {
        var start = new ProcessStartInfo(KubernetesEnvironment.KubectlPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = RepositoryRoot.Path + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["COLUMNS"] = "";
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new VerbResult(process.ExitCode, await stdout, await stderr);
    }
}
