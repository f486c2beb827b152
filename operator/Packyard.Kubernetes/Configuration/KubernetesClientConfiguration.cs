using System.Security.Cryptography.X509Certificates;

namespace Packyard.Kubernetes.Configuration;

/// <summary>
/// Where the API server is and how to authenticate, shaped like KubernetesClient's class of the same name:
/// build it from a kubeconfig (<see cref="BuildConfigFromConfigFile"/>), from the pod's service account
/// (<see cref="InClusterConfig"/>) or with <see cref="BuildDefaultConfig"/>, which picks one.
/// </summary>
public sealed class KubernetesClientConfiguration
{
    public const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    public required Uri Host { get; init; }

    /// <summary>The namespace of the current context (or of the service account); <c>default</c> when absent.</summary>
    public string Namespace { get; init; } = "default";

    public string? AccessToken { get; init; }

    /// <summary>A file to read the bearer token from, re-read periodically (in-cluster bound tokens rotate).</summary>
    public string? TokenFile { get; init; }

    public ExecConfig? Exec { get; init; }

    /// <summary>Client certificate and key for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>CAs to trust for the server instead of the system store; null means the system store.</summary>
    public X509Certificate2Collection? CaCertificates { get; init; }

    public bool SkipTlsVerify { get; init; }

    /// <summary>The kubeconfig at <paramref name="path"/> (default: $KUBECONFIG's first entry, else ~/.kube/config).</summary>
    public static KubernetesClientConfiguration BuildConfigFromConfigFile(string? path = null, string? currentContext = null) =>
        KubeConfigLoader.Load(path ?? DefaultKubeConfigPath(), currentContext);

    /// <summary>True inside a pod: KUBERNETES_SERVICE_HOST is set and the service-account token exists.</summary>
    public static bool IsInCluster() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"))
        && File.Exists(Path.Combine(ServiceAccountPath, "token"));

    /// <summary>The pod's service account: token, CA and namespace under <paramref name="serviceAccountPath"/>.</summary>
    public static KubernetesClientConfiguration InClusterConfig(string serviceAccountPath = ServiceAccountPath)
    {
        var host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new InvalidOperationException(
                "Not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set.");
        }

        var tokenFile = Path.Combine(serviceAccountPath, "token");
        if (!File.Exists(tokenFile))
        {
            throw new InvalidOperationException($"Not running in a cluster: the service-account token {tokenFile} does not exist.");
        }

        var caFile = Path.Combine(serviceAccountPath, "ca.crt");
        var namespaceFile = Path.Combine(serviceAccountPath, "namespace");
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return new KubernetesClientConfiguration
        {
            Host = new Uri($"https://{hostPart}:{port}"),
            TokenFile = tokenFile,
            CaCertificates = File.Exists(caFile) ? LoadPemCollection(File.ReadAllText(caFile)) : null,
            Namespace = File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : "default",
        };
    }

    /// <summary>In-cluster config inside a pod, otherwise the default kubeconfig.</summary>
    public static KubernetesClientConfiguration BuildDefaultConfig() =>
        IsInCluster() ? InClusterConfig() : BuildConfigFromConfigFile();

    internal static string DefaultKubeConfigPath()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)[0];
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
    }

    internal static X509Certificate2Collection LoadPemCollection(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        if (collection.Count == 0)
        {
            throw new InvalidOperationException("The CA bundle holds no PEM certificate.");
        }

        return collection;
    }
}
