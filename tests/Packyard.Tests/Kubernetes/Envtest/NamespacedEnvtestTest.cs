using Packyard.ControllerRuntime;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>
/// A test class on the shared real API server with a namespace of its own (named after <c>namePrefix</c>) and a resource client
/// for it; the base of the runtime's client, watch, informer and status tests.
/// </summary>
public abstract class NamespacedEnvtestTest(string namePrefix) : IAsyncLifetime
{
    protected KubernetesEnvironment Environment { get; private set; } = null!;

    protected ResourceClient Client { get; private set; } = null!;

    protected string Namespace { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment = await KubernetesEnvironment.GetSharedAsync();
        Namespace = await Environment.CreateNamespaceAsync(namePrefix);
        Client = Environment.ResourceClient();
    }

    public Task DisposeAsync()
    {
        Client.Dispose();
        return Task.CompletedTask;
    }
}
