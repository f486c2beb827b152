using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.Envtest;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Deployment;

/// <summary>
/// <c>kubectl apply -k config/default</c> with the real kubectl on the run's real API server, then the real <c>packyard
/// operator</c> authenticating with the ServiceAccount token config/ creates and authorised by nothing but the RBAC config/
/// grants. config/default creates cluster-scoped objects and the fixed namespace packyard-system: this is the only test class
/// that applies it (the CRDs in it are the ones the fixture installed). The resources the operator reconciles live in a
/// namespace of each test, which the operator watches alone, so it never touches another class's resources.
/// </summary>
public sealed class DefaultKustomizationApplyTests : IAsyncLifetime
{
    private const string Namespace = "packyard-system";
    private const string OperatorUser = "system:serviceaccount:packyard-system:packyard";
    private readonly TemporaryDirectory directory = new();
    private KubernetesEnvironment environment = null!;
    private Kubectl kubectl = null!;

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "admin.kubeconfig")));
        await kubectl.SucceedAsync("apply", "-k", "config/default");
    }

    public Task DisposeAsync()
    {
        kubectl.Dispose();
        directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Apply_k_config_default_creates_every_object_and_a_second_apply_changes_nothing()
    {
        var second = await kubectl.SucceedAsync("apply", "-k", "config/default");

        var lines = second.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(
            ["namespace/packyard-system", "serviceaccount/packyard", "serviceaccount/packyard-worker", "clusterrole.rbac.authorization.k8s.io/packyard",
             "clusterrole.rbac.authorization.k8s.io/packyard-uploader", "clusterrolebinding.rbac.authorization.k8s.io/packyard",
             "secret/packyard-postgres", "secret/packyard-secret-key", "secret/packyard-storage", "service/packyard-content", "deployment.apps/packyard-controller",
             "deployment.apps/packyard-worker", "deployment.apps/packyard-content", "ingress.networking.k8s.io/packyard",
             "customresourcedefinition.apiextensions.k8s.io/repositories.packyard.io"],
            name => Assert.Contains(lines, line => line.StartsWith(name + " ", StringComparison.Ordinal)));
        Assert.Equal(18, lines.Length);
        // kubernetes/kubernetes#87736: the last-applied stringData of the Secret templates is never in the stored object (the
        // server folds it into data), so kubectl patches it in again on every apply; everything else is unchanged.
        Assert.All(lines, line => Assert.EndsWith(line.StartsWith("secret/", StringComparison.Ordinal) ? " configured" : " unchanged", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kubectl_get_shows_the_applied_objects()
    {
        var namespaced = await kubectl.SucceedAsync("get", "deployments,services,ingresses,serviceaccounts,secrets", "-n", Namespace, "-o", "name", "-l", "app.kubernetes.io/name=packyard");
        var cluster = await kubectl.SucceedAsync("get", "clusterroles,clusterrolebindings", "-o", "name", "-l", "app.kubernetes.io/name=packyard");
        var table = await kubectl.SucceedAsync("get", "deployment", "-n", Namespace);

        Assert.Equal(
            ["deployment.apps/packyard-content", "deployment.apps/packyard-controller", "deployment.apps/packyard-worker", "ingress.networking.k8s.io/packyard",
             "secret/packyard-postgres", "secret/packyard-secret-key", "secret/packyard-storage", "service/packyard-content", "serviceaccount/packyard",
             "serviceaccount/packyard-worker"],
            namespaced.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["clusterrole.rbac.authorization.k8s.io/packyard", "clusterrole.rbac.authorization.k8s.io/packyard-uploader",
             "clusterrolebinding.rbac.authorization.k8s.io/packyard"],
            cluster.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Contains("packyard-controller", table, StringComparison.Ordinal);
        Assert.Contains("connectionString", await kubectl.SucceedAsync("get", "secret", "packyard-postgres", "-n", Namespace, "-o", "jsonpath={.data}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_role_binding_to_a_service_account_without_namespace_is_rejected_by_the_api_server()
    {
        var file = directory.Write("binding.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: packyard-broken}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: packyard}
            subjects: [{kind: ServiceAccount, name: packyard}]
            """);

        var result = await kubectl.RunAsync("apply", "-f", file);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("subjects[0].namespace: Required value", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_with_the_config_service_account_makes_the_quickstart_Ready_and_served_without_a_single_403()
    {
        var @namespace = await environment.CreateNamespaceAsync("deployrbac");
        var operatorKubeconfig = environment.WriteTokenKubeconfig(Path.Combine(directory.Path, "operator.kubeconfig"),
            await environment.CreateServiceAccountTokenAsync(Namespace, "packyard"), @namespace);
        using var admin = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "test.kubeconfig"), @namespace));
        var secretKey = directory.Write("secret-key", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n");
        var mark = environment.Audit.Mark();
        var port = HttpUpstream.FreePort();
        // As config/manager/controller.yaml runs it (all roles here: the content role's uploads are authorised too), with the
        // Lease in the pod's namespace; only the watched namespace is the test's own.
        await using var replica = PackyardProcess.Launch(Path.Combine(RepositoryRoot.Path, "examples", "files-quickstart"), port,
        [
            "operator", "--kubeconfig", operatorKubeconfig, "--namespace", @namespace, "--leader-election-namespace", Namespace, "--identity", "packyard-controller-0",
            "--database", await PostgresCluster.CreateDatabaseAsync("deployrbac"), "--storage", Path.Combine(directory.Path, "artifacts"),
            "--data-dir", Path.Combine(directory.Path, "data"), "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--secret-key-file", secretKey,
        ]);

        await admin.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        var wait = await admin.RunAsync("wait", "--for=condition=Ready", "remote/quickstart-upstream", "repository/quickstart", "distribution/quickstart", "--timeout=50s");
        Assert.True(wait.ExitCode == 0, $"{wait.Error}\n{(await admin.RunAsync("get", "packyard", "-o", "yaml")).Output}\n{replica.Output}");
        Assert.Contains("hello.txt", await replica.Http.GetStringAsync("files/quickstart/PULP_MANIFEST"), StringComparison.Ordinal);

        // Uploads: the operator asks the API server who the caller is (TokenReview) and whether they may upload (SubjectAccessReview).
        await admin.SucceedAsync("create", "serviceaccount", "builder");
        await admin.SucceedAsync("create", "rolebinding", "uploads", "--clusterrole=packyard-uploader", $"--serviceaccount={@namespace}:builder");
        var builderToken = await environment.CreateServiceAccountTokenAsync(@namespace, "builder");
        await replica.WaitUntilAsync("the uploader's binding takes effect", async () =>
            await UploadAsync(replica, @namespace, builderToken) == HttpStatusCode.Created, TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Forbidden, await UploadAsync(replica, @namespace, environment.StaticUserToken("bob")));
        await Task.Delay(TimeSpan.FromSeconds(3)); // trailing events and reconciles of the upload's new version
        replica.Kill(); // the audit log records a watch when it ends
        await Task.Delay(TimeSpan.FromSeconds(1));

        var requests = environment.Audit.Since(mark).Where(r => r.User == OperatorUser).ToList();
        Assert.Empty(requests.Where(r => r.Code is 401 or 403).Select(r => $"{r.Code} {r.Verb} {r.RequestUri}"));
        Assert.DoesNotContain("forbidden", replica.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" 403", replica.Output, StringComparison.Ordinal);
        // It made the calls the ClusterRole is there for: informers, finalizers, status, Events, the Lease, upload reviews.
        Assert.All(
            [("list", "repositories"), ("watch", "repositories"), ("patch", "repositories"), ("get", "repositories"), ("list", "secrets"), ("watch", "secrets"),
             ("create", "events"), ("get", "leases"), ("create", "leases"), ("update", "leases"), ("create", "tokenreviews"), ("create", "subjectaccessreviews")],
            call => Assert.True(requests.Any(r => r.Verb == call.Item1 && r.Resource == call.Item2 && r.Code < 300),
                $"no {call.Item1} {call.Item2}; the operator made: {string.Join(", ", requests.Select(r => $"{r.Verb} {r.Resource}/{r.Subresource}").Distinct())}"));
        Assert.Contains(requests, r => r.Verb == "patch" && r.Resource == "repositories" && r.Subresource == "status");
    }

    [Fact]
    public async Task The_operator_service_account_is_refused_what_config_does_not_grant()
    {
        var @namespace = await environment.CreateNamespaceAsync("deploydeny");
        using var admin = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "deny-admin.kubeconfig"), @namespace));
        await admin.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await admin.SucceedAsync("create", "secret", "generic", "credentials", "--from-literal=password=secret");
        await admin.SucceedAsync("create", "configmap", "settings", "--from-literal=a=b");
        using var asOperator = new Kubectl(environment.WriteTokenKubeconfig(Path.Combine(directory.Path, "deny-operator.kubeconfig"),
            await environment.CreateServiceAccountTokenAsync(Namespace, "packyard"), @namespace));
        var mark = environment.Audit.Mark();

        // What the operator does do is allowed (the same identity, so the refusals below are about the verbs, not the token).
        await asOperator.SucceedAsync("get", "repository", "quickstart");
        await asOperator.SucceedAsync("get", "secret", "credentials");
        string[][] refused =
        [
            ["delete", "secret", "credentials"],
            ["create", "secret", "generic", "stolen", "--from-literal=a=b"],
            ["patch", "secret", "credentials", "--type=merge", "-p", "{\"data\":{\"password\":\"b3RoZXI=\"}}"],
            ["get", "configmap", "settings"],
            ["delete", "repository", "quickstart"],
            ["replace", "-f", "examples/files-quickstart/quickstart.yaml"],
            ["create", "-f", "examples/files-quickstart/", "--dry-run=server"],
            ["delete", "lease", "packyard-controller", "-n", Namespace],
            ["label", "crd", "repositories.packyard.io", "stolen=true"],
            ["create", "namespace", $"{@namespace}-stolen"],
            ["create", "rolebinding", "stolen", "--clusterrole=cluster-admin", $"--serviceaccount={Namespace}:packyard"],
            ["delete", "deployment", "packyard-controller", "-n", Namespace],
        ];
        foreach (var call in refused)
        {
            var result = await asOperator.RunAsync(call);
            Assert.True(result.ExitCode != 0 && result.Error.Contains("forbidden", StringComparison.OrdinalIgnoreCase),
                $"kubectl {string.Join(' ', call)} as the operator: exit {result.ExitCode}\n{result.Error}\n{result.Output}");
        }

        // The API server refused them (403), as the audit log shows; nothing was changed.
        var writes = environment.Audit.Since(mark).Where(r => r.User == OperatorUser && r.IsWrite).ToList();
        Assert.NotEmpty(writes);
        Assert.All(writes, w => Assert.Equal(403, w.Code));
        var password = await admin.SucceedAsync("get", "secret", "credentials", "-o", "jsonpath={.data.password}");
        Assert.Equal("secret", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(password)));
    }

    [Fact]
    public async Task A_user_bound_to_packyard_uploader_in_one_namespace_may_upload_there_only()
    {
        var packages = await environment.CreateNamespaceAsync("deploypackages");
        var other = await environment.CreateNamespaceAsync("deployother");
        await kubectl.SucceedAsync("create", "rolebinding", "ci-uploads", "-n", packages, "--clusterrole=packyard-uploader", "--serviceaccount=ci:builder");
        using var asOperator = environment.CreateHttpClient(await environment.CreateServiceAccountTokenAsync(Namespace, "packyard"));

        async Task<bool> MayUploadAsync(string @namespace)
        {
            using var response = await asOperator.PostAsJsonAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", new JsonObject
            {
                ["apiVersion"] = "authorization.k8s.io/v1",
                ["kind"] = "SubjectAccessReview",
                ["spec"] = new JsonObject
                {
                    ["user"] = "system:serviceaccount:ci:builder",
                    ["groups"] = new JsonArray("system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"),
                    ["resourceAttributes"] = new JsonObject
                    {
                        ["namespace"] = @namespace, ["verb"] = "create", ["group"] = "packyard.io", ["resource"] = "repositories", ["subresource"] = "content", ["name"] = "python",
                    },
                },
            });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {body}");
            return JsonNode.Parse(body)!["status"]!["allowed"]!.GetValue<bool>();
        }

        Assert.True(await MayUploadAsync(packages));
        Assert.False(await MayUploadAsync(other));
    }

    private static async Task<HttpStatusCode> UploadAsync(PackyardProcess replica, string @namespace, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/namespaces/{@namespace}/repositories/quickstart/content")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent("uploads/hello.txt"), "relativePath" },
                { new ByteArrayContent("hello\n"u8.ToArray()), "file", "hello.txt" },
            },
        };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await replica.Http.SendAsync(request);
        return response.StatusCode;
    }
}
