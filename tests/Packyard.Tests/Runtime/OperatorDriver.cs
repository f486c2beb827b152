using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Operator;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Runtime;

/// <summary>Operator mode: <c>packyard operator</c> on the real kube-apiserver; resources applied and deleted with kubectl.</summary>
public sealed class OperatorDriver : IModeDriver
{
    private readonly TemporaryDirectory files = new();
    private readonly OperatorCluster cluster;
    private readonly PackyardProcess replica;

    private OperatorDriver(OperatorCluster cluster)
    {
        this.cluster = cluster;
        replica = cluster.StartOperator("replica-a", "10s");
    }

    public static async Task<OperatorDriver> StartAsync(string name)
    {
        var driver = new OperatorDriver(await OperatorCluster.StartAsync(name));
        await OperatorCluster.WaitForLeadershipAsync(driver.replica, PackyardProcess.DefaultTimeout);
        return driver;
    }

    public HttpClient Http => replica.Http;

    public string Output => replica.Output;

    public async Task ApplyAsync(string file, string yaml) => await cluster.Kubectl.SucceedAsync("apply", "-f", files.Write(file + ".yaml", yaml));

    public async Task<string?> TryApplyAsync(string file, string yaml)
    {
        var result = await cluster.Kubectl.RunAsync("apply", "-f", files.Write(file + ".yaml", yaml));
        return result.ExitCode == 0 ? null : result.Error;
    }

    public async Task DeleteAsync(string file) =>
        await cluster.Kubectl.SucceedAsync("delete", "--wait=false", "-f", Path.Combine(files.Path, file + ".yaml"));

    public async Task<ResourceState?> GetAsync(string kind, string name)
    {
        var result = await cluster.Kubectl.RunAsync("get", kind.ToLowerInvariant(), name, "-o", "json");
        if (result.ExitCode != 0)
        {
            return null;
        }

        var resource = JsonNode.Parse(result.Output)!;
        return new ResourceState((long?)resource["metadata"]?["generation"], resource["status"]);
    }

    public async ValueTask DisposeAsync()
    {
        await cluster.DisposeAsync();
        files.Dispose();
    }
}
