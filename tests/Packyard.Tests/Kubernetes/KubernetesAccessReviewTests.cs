using System.Net;
using Packyard.Kubernetes;
using Packyard.Kubernetes.Models;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// TokenReview and SubjectAccessReview through the client, answered by the test API server from its token table and
/// the RBAC objects stored in it; the same RBAC decides every request made with a non-administrator token.
/// </summary>
public sealed class KubernetesAccessReviewTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private ApiServerSession session = null!;
    private TestApiServer server = null!;
    private KubernetesClient client = null!;

    public async Task InitializeAsync()
    {
        session = await ApiServerSession.StartAsync();
        (server, client) = (session.Server, session.Client);
    }

    public async Task DisposeAsync() => await session.DisposeAsync();

    [Fact]
    public async Task Token_review_of_a_known_token_returns_its_user_groups_and_audiences()
    {
        var token = server.AddUserToken("ci-bot", "release-team");

        var review = await client.CreateAsync(KubernetesKinds.TokenReview, new TokenReview { Spec = { Token = token } }, None);

        Assert.True(review.Status!.Authenticated);
        Assert.Equal("ci-bot", review.Status.User!.Username);
        Assert.Equal(["release-team", "system:authenticated"], review.Status.User.Groups!);
        Assert.Equal([TestApiServer.DefaultAudience], review.Status.Audiences!);
        Assert.Equal(token, review.Spec.Token);
    }

    [Fact]
    public async Task Token_review_of_an_unknown_or_revoked_token_is_not_authenticated()
    {
        var token = server.AddServiceAccountToken("default", "builder");
        server.RevokeToken(token);

        var revoked = await client.CreateAsync(KubernetesKinds.TokenReview, new TokenReview { Spec = { Token = token } }, None);
        var unknown = await client.CreateAsync(KubernetesKinds.TokenReview, new TokenReview { Spec = { Token = "not-a-token" } }, None);

        Assert.False(revoked.Status!.Authenticated);
        Assert.False(unknown.Status!.Authenticated);
        Assert.Null(unknown.Status.User!.Username);
    }

    [Fact]
    public async Task Token_review_for_an_audience_the_token_was_not_issued_for_is_not_authenticated()
    {
        var token = server.AddUserToken("alice");

        var review = await client.CreateAsync(KubernetesKinds.TokenReview,
            new TokenReview { Spec = { Token = token, Audiences = ["https://vault.example"] } }, None);

        Assert.False(review.Status!.Authenticated);
        Assert.Contains("is invalid for the target audiences", review.Status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_review_without_a_token_is_a_bad_request()
    {
        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.CreateAsync(KubernetesKinds.TokenReview, new TokenReview(), None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("token is required for TokenReview in authentication", error.Status.Message);
    }

    [Fact]
    public async Task Reviews_are_create_only()
    {
        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ListAsync(KubernetesKinds.TokenReview, null, null, None));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, error.StatusCode);
    }

    [Fact]
    public async Task Access_review_is_allowed_by_a_cluster_role_binding_and_names_it_in_the_reason()
    {
        await ApplyAsync(Uploader("ClusterRole", null) + ClusterBinding("Group", "release-team"));

        var status = await ReviewAsync("ci-bot", ["release-team"], "create", "repositories", "content", "packages");

        Assert.True(status.Allowed);
        Assert.Null(status.Denied);
        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"uploaders\" of ClusterRole \"uploader\" to Group \"release-team\"", status.Reason);
    }

    [Fact]
    public async Task Access_review_by_a_role_binding_allows_only_in_its_namespace()
    {
        await ApplyAsync(Namespace("packages") + Uploader("Role", "packages") + """
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: uploaders, namespace: packages}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: uploader}
            subjects: [{kind: ServiceAccount, name: builder, namespace: ci}]
            """);
        const string user = "system:serviceaccount:ci:builder";

        var inNamespace = await ReviewAsync(user, [], "create", "repositories", "content", "packages");
        var elsewhere = await ReviewAsync(user, [], "create", "repositories", "content", "default");

        Assert.True(inNamespace.Allowed);
        Assert.Equal("RBAC: allowed by RoleBinding \"uploaders/packages\" of Role \"uploader\" to ServiceAccount \"builder/ci\"", inNamespace.Reason);
        Assert.False(elsewhere.Allowed);
        Assert.Null(elsewhere.Reason);
    }

    [Fact]
    public async Task Access_review_matches_the_subresource_and_the_verb_exactly()
    {
        await ApplyAsync(Uploader("ClusterRole", null) + ClusterBinding("User", "alice"));

        Assert.True((await ReviewAsync("alice", [], "create", "repositories", "content", "default")).Allowed);
        Assert.False((await ReviewAsync("alice", [], "create", "repositories", null, "default")).Allowed);
        Assert.False((await ReviewAsync("alice", [], "delete", "repositories", "content", "default")).Allowed);
        Assert.False((await ReviewAsync("alice", [], "create", "repositories", "status", "default")).Allowed);
        Assert.False((await ReviewAsync("bob", [], "create", "repositories", "content", "default")).Allowed);
    }

    [Fact]
    public async Task Access_review_for_system_masters_is_allowed()
    {
        var status = await ReviewAsync("root", ["system:masters"], "delete", "secrets", null, "default");

        Assert.True(status.Allowed);
    }

    [Fact]
    public async Task Access_review_without_user_or_groups_is_invalid()
    {
        var review = new SubjectAccessReview { Spec = { ResourceAttributes = new ResourceAttributes { Verb = "get", Resource = "secrets" } } };

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.CreateAsync(KubernetesKinds.SubjectAccessReview, review, None));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal("SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified", error.Status.Message);
    }

    [Fact]
    public async Task A_request_with_a_token_rbac_does_not_allow_is_forbidden_with_the_real_message()
    {
        var token = server.AddServiceAccountToken("ci", "builder");
        using var builder = session.ClientFor(token);

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => builder.ListAsync(KubernetesKinds.Secret, "default", null, None));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("secrets is forbidden: User \"system:serviceaccount:ci:builder\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"", error.Status.Message);
        Assert.Contains(server.Requests, r => r.User == "system:serviceaccount:ci:builder" && r.Verb == "list" && r.Attributes!.Resource == "secrets");
    }

    [Fact]
    public async Task A_request_rbac_allows_through_a_binding_succeeds_and_nothing_more_is_allowed()
    {
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: secret-reader}
            rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: secret-reader}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
            subjects: [{kind: ServiceAccount, name: builder, namespace: ci}]
            """);
        using var builder = session.ClientFor(server.AddServiceAccountToken("ci", "builder"));

        var secrets = await builder.ListAsync(KubernetesKinds.Secret, "default", null, None);
        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => builder.DeleteAsync(KubernetesKinds.Secret, "default", "x", null, None));

        Assert.Empty(secrets.Items);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("secrets \"x\" is forbidden: User \"system:serviceaccount:ci:builder\" cannot delete resource \"secrets\" in API group \"\" in the namespace \"default\"", error.Status.Message);
    }

    [Fact]
    public async Task A_protobuf_body_is_415_because_the_server_decodes_only_json_and_yaml()
    {
        using var kubectl = new Kubectl(server);

        var result = await kubectl.RunAsync("create", "namespace", "packages");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the body of the request was in an unknown format", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_request_log_counts_requests_by_verb_and_resource_and_tells_writes_apart()
    {
        var start = DateTimeOffset.UtcNow;
        await client.CreateAsync(KubernetesKinds.Secret, new Packyard.Api.Resources.Secret { Metadata = { Name = "one", Namespace = "default" } }, None);
        await client.GetAsync(KubernetesKinds.Secret, "default", "one", None);
        await client.GetAsync(KubernetesKinds.Secret, "default", "one", None);
        await client.ListAsync(KubernetesKinds.Secret, "default", null, None);

        var counts = server.RequestCounts(start);
        var writes = server.WritesSince(start);

        Assert.Equal(1, counts["create secrets"]);
        Assert.Equal(2, counts["get secrets"]);
        Assert.Equal(1, counts["list secrets"]);
        Assert.Equal(["create"], writes.Select(w => w.Verb));
        Assert.All(server.RequestsSince(start), r => Assert.Equal(TestApiServer.AdminUser, r.User));
    }

    private async Task<SubjectAccessReviewStatus> ReviewAsync(string user, List<string> groups, string verb, string resource, string? subresource, string @namespace)
    {
        var review = await client.CreateAsync(KubernetesKinds.SubjectAccessReview, new SubjectAccessReview
        {
            Spec =
            {
                User = user,
                Groups = groups,
                ResourceAttributes = new ResourceAttributes
                {
                    Namespace = @namespace, Verb = verb, Group = "packyard.io", Resource = resource, Subresource = subresource,
                },
            },
        }, None);
        return review.Status!;
    }

    private async Task ApplyAsync(string yaml)
    {
        using var kubectl = new Kubectl(server);
        using var directory = new Infrastructure.TemporaryDirectory();
        await kubectl.SucceedAsync("apply", "-f", directory.Write("rbac.yaml", yaml));
    }

    private static string Namespace(string name) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata: {name: {{name}}}
        ---

        """;

    private static string Uploader(string kind, string? @namespace) => $$"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: {{kind}}
        metadata: {name: uploader{{(@namespace is null ? "" : ", namespace: " + @namespace)}}}
        rules: [{apiGroups: [packyard.io], resources: [repositories/content], verbs: [create]}]

        """;

    private static string ClusterBinding(string subjectKind, string subject) => $$"""
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: uploaders}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: uploader}
        subjects: [{kind: {{subjectKind}}, name: {{subject}}}]
        """;
}
