using k8s;
using Packyard.ControllerRuntime;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// A test API server with a client connected through a kubeconfig file (bookmarks every 200 ms, fast watch
/// reconnects), as the client, watch and informer tests use it. Disposing stops both and deletes the kubeconfig.
/// </summary>
public sealed class ApiServerSession : IAsyncDisposable
{
    private readonly TemporaryDirectory directory;

    private ApiServerSession(TemporaryDirectory directory, TestApiServer server, ResourceClient client)
    {
        this.directory = directory;
        Server = server;
        Client = client;
    }

    public TestApiServer Server { get; }

    public ResourceClient Client { get; }

    public static async Task<ApiServerSession> StartAsync()
    {
        var directory = new TemporaryDirectory();
        var server = await TestApiServer.StartAsync(bookmarkInterval: TimeSpan.FromMilliseconds(200));
        var client = new ResourceClient(new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.Path))), ownsKubernetes: true)
        {
            WatchReconnectDelay = TimeSpan.FromMilliseconds(50),
        };
        return new ApiServerSession(directory, server, client);
    }

    /// <summary>A client that authenticates with <paramref name="token"/> (see <see cref="TestApiServer.AddUserToken"/>); dispose it.</summary>
    public ResourceClient ClientFor(string token) => ResourceClient.Create(new KubernetesClientConfiguration
    {
        Host = Server.Url.ToString(),
        AccessToken = token,
        SslCaCerts = [Server.CaCertificate],
    });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        directory.Dispose();
        await Server.DisposeAsync();
    }
}
