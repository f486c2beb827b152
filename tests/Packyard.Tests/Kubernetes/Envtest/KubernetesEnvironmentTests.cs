using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Kubernetes.Envtest;

/// <summary>The real control plane fixture itself: what every other Kubernetes test relies on.</summary>
public sealed class KubernetesEnvironmentTests
{
    [Fact]
    public async Task The_shared_API_server_is_the_real_one_with_Packyard_CRDs_established()
    {
        var environment = await KubernetesEnvironment.GetSharedAsync();

        var version = await environment.Http.GetFromJsonAsync<JsonObject>("/version");
        Assert.Equal(EnvtestAssets.KubernetesVersion, version!["gitVersion"]!.GetValue<string>());
        var crd = await environment.SendAsync(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/repositories.packyard.io");
        Assert.Contains(crd!["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "Established" && c["status"]!.GetValue<string>() == "True");
    }

    [Fact]
    public async Task Client_certificates_service_account_tokens_and_static_tokens_authenticate_as_their_users()
    {
        var environment = await KubernetesEnvironment.GetSharedAsync();
        var ns = await environment.CreateNamespaceAsync("fixture");
        using var directory = new TemporaryDirectory();

        var kubeconfig = environment.WriteUserKubeconfig(Path.Combine(directory.Path, "carol"), "carol", ns, "auditors", "developers");
        using var kubectl = new Kubectl(kubeconfig);
        var whoami = await kubectl.SucceedAsync("auth", "whoami", "-o", "json");
        Assert.Contains("\"carol\"", whoami, StringComparison.Ordinal);
        Assert.Contains("\"auditors\"", whoami, StringComparison.Ordinal);

        var token = await environment.CreateServiceAccountTokenAsync(ns, "builder");
        using var serviceAccount = environment.CreateHttpClient(token);
        var review = await SelfAsync(serviceAccount);
        Assert.Equal($"system:serviceaccount:{ns}:builder", review);

        using var alice = environment.CreateHttpClient(environment.StaticUserToken("alice"));
        Assert.Equal("alice", await SelfAsync(alice));

        // Without RBAC grants a user may not read Secrets: RBAC is really enforced.
        var denied = await kubectl.RunAsync("get", "secrets");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("forbidden", denied.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_log_records_each_write_with_its_user_and_namespace()
    {
        var environment = await KubernetesEnvironment.GetSharedAsync();
        var mark = environment.Audit.Mark();
        var ns = await environment.CreateNamespaceAsync("audit");
        await environment.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "c" } });

        var writes = environment.Audit.Since(mark).Where(e => e.IsWrite && e.Namespace == ns).ToList();
        var write = Assert.Single(writes, e => e.Resource == "configmaps");
        Assert.Equal(("create", KubernetesEnvironment.AdminUser, 201), (write.Verb, write.User, write.Code));
    }

    private static async Task<string> SelfAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/apis/authentication.k8s.io/v1/selfsubjectreviews",
            new JsonObject { ["apiVersion"] = "authentication.k8s.io/v1", ["kind"] = "SelfSubjectReview" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["status"]!["userInfo"]!["username"]!.GetValue<string>();
    }
}
