using System.Security.Cryptography.X509Certificates;
using System.Text;
using Packyard.Kubernetes;
using Packyard.Kubernetes.Configuration;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes;

/// <summary>Each way a kubeconfig (or a pod) can authenticate, against the test API server over HTTPS.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KubeConfigTests : IAsyncLifetime
{
    private readonly TemporaryDirectory directory = new();
    private TestApiServer server = null!;

    public async Task InitializeAsync() => server = await TestApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        directory.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Bearer_token_and_CA_data_authenticate()
    {
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.Path));

        Assert.Equal("default", configuration.Namespace);
        await AssertCanReadAsync(configuration);
    }

    [Fact]
    public async Task Client_certificate_data_authenticates()
    {
        using var certificate = server.IssueClientCertificate("alice");
        var user = $"""
                client-certificate-data: {Base64(certificate.ExportCertificatePem())}
                client-key-data: {Base64(certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem())}
            """;

        await AssertCanReadAsync(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.Path, user)));
    }

    [Fact]
    public async Task Client_certificate_and_key_files_relative_to_the_kubeconfig_authenticate()
    {
        using var certificate = server.IssueClientCertificate("bob");
        directory.Write("certs/client.crt", certificate.ExportCertificatePem());
        directory.Write("certs/client.key", certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        const string user = """
                client-certificate: certs/client.crt
                client-key: certs/client.key
            """;

        await AssertCanReadAsync(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.Path, user)));
    }

    [Fact]
    public async Task Exec_plugin_token_authenticates_and_receives_exec_info()
    {
        var script = directory.Write("bin/credential.sh", $$$"""
            #!/bin/sh
            echo "$KUBERNETES_EXEC_INFO" > "$(dirname "$0")/exec-info.json"
            echo "$1 $PLUGIN_ENV" > "$(dirname "$0")/args.txt"
            cat <<JSON
            {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{server.Token}}}","expirationTimestamp":"2099-01-01T00:00:00Z"}}
            JSON
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const string user = """
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./bin/credential.sh
                  args: [--cluster]
                  env:
                  - name: PLUGIN_ENV
                    value: from-kubeconfig
                  interactiveMode: Never
            """;

        await AssertCanReadAsync(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.Path, user)));

        Assert.Contains("\"kind\":\"ExecCredential\"", File.ReadAllText(Path.Combine(directory.Path, "bin/exec-info.json")), StringComparison.Ordinal);
        Assert.Equal("--cluster from-kubeconfig", File.ReadAllText(Path.Combine(directory.Path, "bin/args.txt")).Trim());
    }

    [Fact]
    public async Task Failing_exec_plugin_reports_its_exit_code_and_stderr()
    {
        var script = directory.Write("fail.sh", "#!/bin/sh\necho 'no credentials here' >&2\nexit 3\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var user = $"""
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {script}
            """;
        using var client = new KubernetesClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(directory.Path, user)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ListAsync(KubernetesKinds.Namespace, null, null, CancellationToken.None));

        Assert.Contains("exited with code 3: no credentials here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_credentials_get_401_Unauthorized_with_the_Status()
    {
        var path = server.WriteKubeconfig(directory.Path, "    username: nobody");
        using var client = new KubernetesClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ListAsync(KubernetesKinds.Namespace, null, null, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Unauthorized", error.Reason);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_refused_unless_TLS_verification_is_skipped()
    {
        var path = server.WriteKubeconfig(directory.Path);
        await using var other = await TestApiServer.StartAsync();
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        var wrongCa = new KubernetesClientConfiguration
        {
            Host = configuration.Host,
            AccessToken = server.Token,
            CaCertificates = new X509Certificate2Collection(other.CaCertificate),
        };
        using (var client = new KubernetesClient(wrongCa))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.ListAsync(KubernetesKinds.Namespace, null, null, CancellationToken.None));
        }

        var kubeconfig = File.ReadAllText(path).Replace("certificate-authority-data:", "insecure-skip-tls-verify: true\n    x-ignored:", StringComparison.Ordinal);
        File.WriteAllText(path, kubeconfig);
        await AssertCanReadAsync(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
    }

    [Fact]
    public async Task In_cluster_config_reads_the_service_account_token_CA_and_namespace()
    {
        directory.Write("sa/token", server.Token + "\n");
        directory.Write("sa/ca.crt", server.CaPem);
        directory.Write("sa/namespace", "packyard-system");
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", server.Url.Host);
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", server.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var configuration = KubernetesClientConfiguration.InClusterConfig(Path.Combine(directory.Path, "sa"));

            Assert.Equal("packyard-system", configuration.Namespace);
            await AssertCanReadAsync(configuration);
        }
        finally
        {
            Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", null);
            Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", null);
        }
    }

    [Fact]
    public void A_context_naming_a_missing_cluster_fails_with_its_name()
    {
        var path = server.WriteKubeconfig(directory.Path);

        var error = Assert.Throws<InvalidOperationException>(() => KubernetesClientConfiguration.BuildConfigFromConfigFile(path, "elsewhere"));

        Assert.Contains("no context named 'elsewhere'", error.Message, StringComparison.Ordinal);
    }

    private static async Task AssertCanReadAsync(KubernetesClientConfiguration configuration)
    {
        using var client = new KubernetesClient(configuration);
        var namespaces = await client.ListAsync(KubernetesKinds.Namespace, null, null, CancellationToken.None);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
