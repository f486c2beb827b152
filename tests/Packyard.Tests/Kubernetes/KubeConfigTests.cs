using System.Net;
using k8s;
using k8s.Models;
using Packyard.ControllerRuntime;
using Packyard.Operator;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// <c>packyard operator --kubeconfig</c>: the file is read by the KubernetesClient library (tokens, client certificates,
/// exec plugins) and requests of the runtime's resource client carry its credentials to the real API server.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KubeConfigTests : IAsyncLifetime
{
    private readonly TemporaryDirectory directory = new();
    private KubernetesEnvironment environment = null!;
    private string ns = null!;

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        ns = await environment.CreateNamespaceAsync("kubeconfig");
    }

    public Task DisposeAsync()
    {
        directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_bearer_token_and_CA_data_authenticate_as_the_tokens_user()
    {
        var token = await environment.CreateServiceAccountTokenAsync(ns, "reader");
        var path = environment.WriteTokenKubeconfig(Path.Combine(directory.Path, "token"), token, ns);

        Assert.Equal($"system:serviceaccount:{ns}:reader", await WhoAmIAsync(path));
    }

    [Fact]
    public async Task A_client_certificate_authenticates_as_its_user_and_groups()
    {
        var path = environment.WriteUserKubeconfig(Path.Combine(directory.Path, "carol"), "carol", ns, "auditors");

        Assert.Equal("carol", await WhoAmIAsync(path));
    }

    [Fact]
    public async Task An_exec_plugin_token_authenticates_and_the_plugin_receives_its_arguments_and_environment()
    {
        var script = directory.Write("bin/credential.sh", $$$"""
            #!/bin/sh
            echo "$1 $PLUGIN_ENV" > "$(dirname "$0")/args.txt"
            cat <<JSON
            {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{environment.StaticUserToken("alice")}}}","expirationTimestamp":"2099-01-01T00:00:00Z"}}
            JSON
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = environment.WriteTokenKubeconfig(Path.Combine(directory.Path, "exec"), "placeholder", ns);
        File.WriteAllText(path, File.ReadAllText(path).Replace("    token: placeholder\n", $"""
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {script}
                  args: [--cluster]
                  env:
                  - name: PLUGIN_ENV
                    value: from-kubeconfig
                  interactiveMode: Never

            """, StringComparison.Ordinal));

        Assert.Equal("alice", await WhoAmIAsync(path));
        Assert.Equal("--cluster from-kubeconfig", File.ReadAllText(Path.Combine(directory.Path, "bin/args.txt")).Trim());
    }

    [Fact]
    public async Task An_unknown_token_gets_401_Unauthorized_as_a_typed_error_with_the_Status()
    {
        var path = environment.WriteTokenKubeconfig(Path.Combine(directory.Path, "unknown"), "not-a-token", ns);
        using var client = ResourceClient.Create(OperatorHost.LoadConfiguration(path));

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ListAsync(KubernetesKinds.Remote, ns, null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("Unauthorized", error.Reason);
    }

    /// <summary>The user the API server sees for requests made with the kubeconfig at <paramref name="path"/>, as the operator loads it.</summary>
    private async Task<string> WhoAmIAsync(string path)
    {
        var configuration = OperatorHost.LoadConfiguration(path);
        using var client = ResourceClient.Create(configuration);
        var mark = environment.Audit.Mark();
        await client.ListAsync(KubernetesKinds.Secret, ns, null, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        var review = await client.Kubernetes.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "SelfSubjectReview",
        });
        var user = review.Status.UserInfo.Username;
        Assert.Contains(environment.Audit.Since(mark), e => e.User == user && e.Resource == "secrets" && e.Namespace == ns);
        return user;
    }
}
