using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Packyard.Tests.Authorization;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Infrastructure.Oci;
using Packyard.Tests.Server;

namespace Packyard.Tests.Container.Push;

/// <summary>
/// Pushing with skopeo in a cluster: the password of the basic credentials is a ServiceAccount token, checked with TokenReview
/// and SubjectAccessReview (create <c>repositories/content</c>) against the real kube-apiserver, as every upload is.
/// </summary>
public sealed class ContainerPushKubernetesTests(KubernetesUploadFixture app) : IClassFixture<KubernetesUploadFixture>, IDisposable
{
    private static readonly TimeSpan Bounded = TimeSpan.FromMinutes(2);
    private readonly OciImageBuilder builder = new();
    private readonly TemporaryDirectory work = new();

    [Fact]
    public async Task A_ServiceAccount_token_is_denied_without_RBAC_and_pushes_one_version_once_bound_to_packyard_uploader()
    {
        var image = await builder.BuildImageAsync("1.0", [6_000, 3_000], seed: 91);
        var (id, basePath) = await RepositoryAsync();
        var token = await app.Cluster.CreateServiceAccountTokenAsync(app.Namespace, "pusher");

        using var anonymous = await app.Http.PostAsync($"/v2/{basePath}/blobs/uploads/", null);
        using var denied = await PostAsync($"/v2/{basePath}/blobs/uploads/", $"token:{token}");
        var (code, _, error) = await PushAsync(basePath, token);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("DENIED", JsonNode.Parse(await denied.Content.ReadAsStringAsync())!["errors"]![0]!["code"]!.GetValue<string>());
        Assert.NotEqual(0, code);
        Assert.Matches("(?i)denied|forbidden|403", error);
        Assert.Equal(0, await VersionAsync(id));

        await BindUploaderAsync("pusher");
        var (pushed, output, pushError) = await PushAsync(basePath, token);

        Assert.True(pushed == 0, output + pushError);
        Assert.Equal(1, await VersionAsync(id));
        var inspect = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", $"docker://{app.BaseAddress.Authority}/{basePath}:1.0"], Bounded))!;
        Assert.Equal(image.Digest, inspect["Digest"]!.GetValue<string>());
    }

    public void Dispose()
    {
        builder.Dispose();
        work.Dispose();
    }

    private Task<(int Code, string Output, string Error)> PushAsync(string basePath, string token) =>
        OciTool.TryRunAsync("skopeo", ["copy", "--quiet", "--retry-times", "0", "--dest-tls-verify=false", "--dest-creds", $"token:{token}",
            builder.Layout("1.0"), $"docker://{app.BaseAddress.Authority}/{basePath}:1.0"], Bounded);

    private Task<HttpResponseMessage> PostAsync(string path, string credentials)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return app.Http.SendAsync(request);
    }

    private async Task<(long Id, string BasePath)> RepositoryAsync()
    {
        var name = $"ctr-{Guid.NewGuid():N}"[..20];
        var id = await app.Catalog.EnsureRepositoryAsync(app.Namespace, name, "container", CancellationToken.None);
        await app.Catalog.SetUploadsEnabledAsync(id, true, CancellationToken.None);
        var basePath = $"{ContentAppFixture.UniqueBasePath("push")}/app";
        await app.DistributeAsync(basePath, id);
        return (id, basePath);
    }

    private async Task<long> VersionAsync(long id) => (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number;

    private async Task BindUploaderAsync(string account)
    {
        using var kubectl = app.Kubectl();
        await kubectl.SucceedAsync("apply", "-f", work.Write($"{account}.yaml", $$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: {{account}}, namespace: {{app.Namespace}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: packyard-uploader}
            subjects: [{kind: ServiceAccount, name: {{account}}, namespace: {{app.Namespace}}}]
            """));
    }
}
