using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Packyard.Server;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Server;

namespace Packyard.Tests.Authorization;

/// <summary>
/// The content app with uploads authorised by the cluster: a test API server with <c>config/default</c> applied, the
/// content app's KubernetesClient (the library's <c>IKubernetes</c>) authenticated as the operator's service account,
/// and <c>AddKubernetesUploadAuthorization()</c> in place of the standalone token.
/// </summary>
public sealed class KubernetesUploadFixture : ContentAppFixture
{
    public ApiServerSession Cluster { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Cluster = await ApiServerSession.StartAsync();
        using (var kubectl = new Kubectl(Cluster.Server))
        {
            await kubectl.SucceedAsync("apply", "-k", "config/default");
        }

        await base.InitializeAsync();
    }

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.RemoveAll<IUploadAuthorizer>();
        services.AddSingleton<IKubernetes>(_ => Cluster.ClientFor(Cluster.Server.AddServiceAccountToken("packyard-system", "packyard")).Kubernetes);
        services.AddKubernetesUploadAuthorization();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
