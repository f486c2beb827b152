using System.Text.Json.Nodes;
using k8s.Models;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Deployment;

/// <summary>
/// <c>kubectl apply -k config/default</c> with the real kubectl against the test API server: every object is accepted
/// (built-in checks included), shows in <c>kubectl get</c>, a second apply changes nothing, and the operator's service
/// account can make exactly the calls the operator makes, under RBAC evaluated from the applied ClusterRole.
/// </summary>
public sealed class DefaultKustomizationApplyTests : IAsyncLifetime
{
    private const string Namespace = "packyard-system";
    private static readonly CancellationToken None = CancellationToken.None;
    private ApiServerSession session = null!;
    private Kubectl kubectl = null!;

    private TestApiServer Server => session.Server;

    public async Task InitializeAsync()
    {
        session = await ApiServerSession.StartAsync();
        kubectl = new Kubectl(session.Server);
    }

    public async Task DisposeAsync()
    {
        kubectl.Dispose();
        await session.DisposeAsync();
    }

    [Fact]
    public async Task Apply_k_config_default_creates_every_object_and_a_second_apply_changes_nothing()
    {
        var first = await kubectl.SucceedAsync("apply", "-k", "config/default");
        var second = await kubectl.SucceedAsync("apply", "-k", "config/default");

        Assert.All(
            ["namespace/packyard-system", "serviceaccount/packyard", "serviceaccount/packyard-worker", "clusterrole.rbac.authorization.k8s.io/packyard",
             "clusterrole.rbac.authorization.k8s.io/packyard-uploader", "clusterrolebinding.rbac.authorization.k8s.io/packyard",
             "secret/packyard-postgres", "secret/packyard-secret-key", "secret/packyard-storage", "service/packyard-content", "deployment.apps/packyard-controller",
             "deployment.apps/packyard-worker", "deployment.apps/packyard-content", "ingress.networking.k8s.io/packyard"],
            name => Assert.Contains(name + " created", first, StringComparison.Ordinal));
        // The CRDs were installed from crds/ when the server started: the apply finds them identical but for kubectl's
        // last-applied annotation.
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/repositories.packyard.io configured", first, StringComparison.Ordinal);
        // As with a real server (kubernetes/kubernetes#87736): the last-applied stringData of the Secret templates is never
        // in the stored object (the server folds it into data), so kubectl patches it in again each time.
        var lines = second.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(18, lines.Length);
        Assert.All(lines, line => Assert.EndsWith(line.StartsWith("secret/", StringComparison.Ordinal) ? " configured" : " unchanged", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kubectl_get_shows_the_applied_objects()
    {
        await kubectl.SucceedAsync("apply", "-k", "config/default");

        var namespaced = await kubectl.SucceedAsync("get", "deployments,services,ingresses,serviceaccounts,secrets", "-n", Namespace, "-o", "name");
        var cluster = await kubectl.SucceedAsync("get", "clusterroles,clusterrolebindings,crds", "-o", "name", "-l", "app.kubernetes.io/name=packyard");
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
    public async Task A_cluster_role_binding_to_a_service_account_without_namespace_is_rejected_as_the_real_server_does()
    {
        using var directory = new Infrastructure.TemporaryDirectory();
        var file = directory.Write("binding.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: broken}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: packyard}
            subjects: [{kind: ServiceAccount, name: packyard}]
            """);

        var result = await kubectl.RunAsync("apply", "-f", file);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("subjects[0].namespace: Required value", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_service_account_can_make_every_call_the_operator_makes()
    {
        await kubectl.SucceedAsync("apply", "-k", "config/default");
        using var operatorClient = session.ClientFor(Server.AddServiceAccountToken(Namespace, "packyard"));
        await session.Client.CreateAsync(KubernetesKinds.Remote, new Remote { Metadata = { Name = "upstream", NamespaceProperty = "default" }, Spec = { Type = ContentType.File, Url = "https://example.com/" } }, None);

        // Informers and reconciles on the four kinds, status and finalizers.
        await operatorClient.ListAsync(KubernetesKinds.Remote, null, null, None);
        await operatorClient.ListAsync(KubernetesKinds.Repository, null, null, None);
        await operatorClient.ListAsync(KubernetesKinds.Distribution, null, null, None);
        await operatorClient.ListAsync(KubernetesKinds.Promotion, null, null, None);
        await operatorClient.PatchAsync(KubernetesKinds.Remote, "default", "upstream",
            KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray("packyard.io/cleanup") } }), null, None);
        await operatorClient.PatchStatusAsync(KubernetesKinds.Remote, "default", "upstream",
            KubernetesPatch.Merge(new JsonObject { ["status"] = new JsonObject { ["observedGeneration"] = 1 } }), null, None);
        // Secrets, events, the leader-election lease, upload reviews, the CRD check.
        await operatorClient.ListAsync(KubernetesKinds.Secret, null, null, None);
        var @event = await operatorClient.CreateAsync(KubernetesKinds.CoreEvent, new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "upstream.1", NamespaceProperty = "default" }, Reason = "Test", Message = "test", Type = "Normal", Count = 1,
            InvolvedObject = new V1ObjectReference { ApiVersion = "packyard.io/v1alpha1", Kind = "Remote", Name = "upstream", NamespaceProperty = "default" },
        }, None);
        await operatorClient.PatchAsync(KubernetesKinds.CoreEvent, "default", @event.Metadata.Name!,
            KubernetesPatch.Merge(new JsonObject { ["count"] = 2 }), null, None);
        var lease = await operatorClient.CreateAsync(KubernetesKinds.Lease, new V1Lease { Metadata = new V1ObjectMeta { Name = "packyard", NamespaceProperty = Namespace }, Spec = new V1LeaseSpec { HolderIdentity = "a" } }, None);
        lease.Spec!.HolderIdentity = "b";
        await operatorClient.ReplaceAsync(KubernetesKinds.Lease, lease, None);
        await operatorClient.GetAsync(KubernetesKinds.Lease, Namespace, "packyard", None);
        await operatorClient.CreateAsync(KubernetesKinds.TokenReview, new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "anything" } }, None);
        await operatorClient.CreateAsync(KubernetesKinds.SubjectAccessReview, new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "someone", ResourceAttributes = new V1ResourceAttributes { Verb = "create", Group = "packyard.io", Resource = "repositories", Subresource = "content" } },
        }, None);
        var crd = await operatorClient.GetAsync(KubernetesKinds.CustomResourceDefinition, null, "repositories.packyard.io", None);

        Assert.Contains(crd.Status!.Conditions!, c => c.Type == "Established" && c.Status == "True");
        Assert.Equal(15, Server.Requests.Count(r => r.User == "system:serviceaccount:packyard-system:packyard"));
    }

    [Theory]
    [InlineData("delete", "packyard.io", "repositories", null, "default")]
    [InlineData("create", "packyard.io", "remotes", null, "default")]
    [InlineData("create", "packyard.io", "repositories", "content", "default")]
    [InlineData("list", "", "configmaps", null, "default")]
    [InlineData("update", "", "secrets", null, "default")]
    [InlineData("create", "events.k8s.io", "events", null, "default")]
    [InlineData("delete", "coordination.k8s.io", "leases", null, "packyard-system")]
    [InlineData("update", "apiextensions.k8s.io", "customresourcedefinitions", null, null)]
    public async Task The_operator_service_account_may_not_do_more(string verb, string group, string resource, string? subresource, string? @namespace)
    {
        await kubectl.SucceedAsync("apply", "-k", "config/default");

        var review = await session.Client.CreateAsync(KubernetesKinds.SubjectAccessReview, new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = "system:serviceaccount:packyard-system:packyard",
                Groups = ["system:serviceaccounts", "system:serviceaccounts:packyard-system", "system:authenticated"],
                ResourceAttributes = new V1ResourceAttributes { Verb = verb, Group = group, Resource = resource, Subresource = subresource, NamespaceProperty = @namespace },
            },
        }, None);

        Assert.False(review.Status!.Allowed);
    }

    [Fact]
    public async Task A_user_bound_to_packyard_uploader_in_one_namespace_may_upload_there_only()
    {
        await kubectl.SucceedAsync("apply", "-k", "config/default");
        using var directory = new Infrastructure.TemporaryDirectory();
        await kubectl.SucceedAsync("apply", "-f", directory.Write("uploads.yaml", """
            apiVersion: v1
            kind: Namespace
            metadata: {name: packages}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: ci-uploads, namespace: packages}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: packyard-uploader}
            subjects: [{kind: ServiceAccount, name: builder, namespace: ci}]
            """));
        using var operatorClient = session.ClientFor(Server.AddServiceAccountToken(Namespace, "packyard"));

        async Task<bool> MayUploadAsync(string @namespace) => (await operatorClient.CreateAsync(KubernetesKinds.SubjectAccessReview, new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = "system:serviceaccount:ci:builder",
                Groups = ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
                ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = @namespace, Verb = "create", Group = "packyard.io", Resource = "repositories", Subresource = "content", Name = "python" },
            },
        }, None)).Status!.Allowed;

        Assert.True(await MayUploadAsync("packages"));
        Assert.False(await MayUploadAsync("default"));
    }
}
