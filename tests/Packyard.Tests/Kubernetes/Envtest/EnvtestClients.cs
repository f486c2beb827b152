using System.Security.Cryptography.X509Certificates;
using k8s;
using Packyard.ControllerRuntime;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>Clients of the real API server: the library's configuration (CA, bearer token) under the runtime's <see cref="ResourceClient"/>.</summary>
public static class EnvtestClients
{
    /// <summary>The library's configuration for <paramref name="environment"/> with <paramref name="token"/> (the admin's when null).</summary>
    public static KubernetesClientConfiguration Configuration(this KubernetesEnvironment environment, string? token = null, string? @namespace = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new KubernetesClientConfiguration
        {
            Host = environment.Url,
            AccessToken = token ?? environment.AdminToken,
            SslCaCerts = [X509Certificate2.CreateFromPem(environment.CaPem)],
            Namespace = @namespace,
        };
    }

    /// <summary>A resource client (fast watch reconnects) authenticating with <paramref name="token"/> (the admin's when null); dispose it.</summary>
    public static ResourceClient ResourceClient(this KubernetesEnvironment environment, string? token = null) =>
        new(new k8s.Kubernetes(environment.Configuration(token)), ownsKubernetes: true) { WatchReconnectDelay = TimeSpan.FromMilliseconds(50) };

    /// <summary>The library's own client authenticating with <paramref name="token"/> (the admin's when null); dispose it.</summary>
    public static k8s.Kubernetes LibraryClient(this KubernetesEnvironment environment, string? token = null) => new(environment.Configuration(token));
}
