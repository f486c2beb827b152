using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Authorization;

/// <summary><c>kubectl apply -k config/default</c> on the shared API server, once for the test run (it changes nothing again).</summary>
internal static class ConfigDefaultOnce
{
    private static readonly Lazy<Task> Applied = new(ApplyAsync);

    public static Task EnsureAsync() => Applied.Value;

    private static async Task ApplyAsync()
    {
        var environment = await KubernetesEnvironment.GetSharedAsync();
        using var directory = new Infrastructure.TemporaryDirectory();
        using var kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "kubeconfig")));
        await kubectl.SucceedAsync("apply", "-k", "config/default");
    }
}
