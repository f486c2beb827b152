using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Packyard.Server;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.Envtest;
using Packyard.Tests.Server;

namespace Packyard.Tests.Authorization;

/// <summary>
/// The content app with uploads authorised by the cluster: the real API server with <c>config/default</c> applied, the
/// content app's KubernetesClient (the library's <c>IKubernetes</c>) authenticated with a real token of the operator's
/// service account, and <c>AddKubernetesUploadAuthorization()</c> in place of the standalone token. Uploads go to
/// repositories in <see cref="Namespace"/>, this fixture's own namespace.
/// </summary>
public sealed class KubernetesUploadFixture : ContentAppFixture
{
    private readonly Infrastructure.TemporaryDirectory directory = new();
    private string operatorToken = null!;

    public KubernetesEnvironment Cluster { get; private set; } = null!;

    public string Namespace { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Cluster = await KubernetesEnvironment.GetSharedAsync();
        await ConfigDefaultOnce.EnsureAsync();
        Namespace = await Cluster.CreateNamespaceAsync("uploads");
        operatorToken = await Cluster.CreateServiceAccountTokenAsync("packyard-system", "packyard");
        await base.InitializeAsync();
    }

    /// <summary>kubectl as the cluster's admin; dispose it.</summary>
    public Kubectl Kubectl() => new(Cluster.WriteKubeconfig(Path.Combine(directory.Path, $"kubeconfig-{Guid.NewGuid():N}")));

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.RemoveAll<IUploadAuthorizer>();
        services.AddSingleton<IKubernetes>(_ => Cluster.LibraryClient(operatorToken));
        services.AddKubernetesUploadAuthorization();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        directory.Dispose();
    }
}
