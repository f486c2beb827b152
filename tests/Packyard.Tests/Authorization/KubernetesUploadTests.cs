using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Python;

namespace Packyard.Tests.Authorization;

/// <summary>
/// Uploads through the content app with cluster authorization, by the real twine (basic auth, user <c>token</c> or
/// <c>__token__</c>, the service-account token as password) and by a plain HTTP client with a bearer token.
/// </summary>
public sealed class KubernetesUploadTests(KubernetesUploadFixture app) : IClassFixture<KubernetesUploadFixture>, IDisposable
{
    private readonly TemporaryDirectory build = new();

    [Theory]
    [InlineData("token")]
    [InlineData("__token__")]
    public async Task Twine_with_a_service_account_token_bound_to_packyard_uploader_uploads(string user)
    {
        var (id, name) = await PythonRepositoryAsync();
        var token = await UploaderTokenAsync($"twine-{user.Trim('_')}");
        var wheel = PythonPackage.Wheel(build.Path, $"cluster-app-{user.Trim('_')}", "1.0");

        var (code, output) = await TwineAsync(name, user, token, wheel);

        Assert.True(code == 0, output);
        Assert.Equal(1, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task Twine_with_a_token_of_a_user_without_the_permission_gets_403_and_creates_no_version()
    {
        var (id, name) = await PythonRepositoryAsync();
        var token = app.Cluster.StaticUserToken("mallory");
        var wheel = PythonPackage.Wheel(build.Path, "refused", "1.0");

        var (code, output) = await TwineAsync(name, "token", token, wheel);

        Assert.NotEqual(0, code);
        Assert.Contains("403", output, StringComparison.Ordinal);
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task An_unknown_bearer_token_is_401_with_a_bearer_challenge()
    {
        var (_, name) = await PythonRepositoryAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/{app.Namespace}/repositories/{name}/content")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("x")), "content", "x.whl" } },
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");

        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    public void Dispose() => build.Dispose();

    private async Task<(long Id, string Name)> PythonRepositoryAsync()
    {
        var name = $"py-{Guid.NewGuid():N}";
        var id = await app.Catalog.EnsureRepositoryAsync(app.Namespace, name, "python", CancellationToken.None);
        await app.Catalog.SetUploadsEnabledAsync(id, true, CancellationToken.None);
        return (id, name);
    }

    /// <summary>A real token of a new service account bound to packyard-uploader in the fixture's namespace.</summary>
    private async Task<string> UploaderTokenAsync(string account)
    {
        using var kubectl = app.Kubectl();
        await kubectl.SucceedAsync("apply", "-f", build.Write($"{account}.yaml", $$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: {{account}}, namespace: {{app.Namespace}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: packyard-uploader}
            subjects: [{kind: ServiceAccount, name: {{account}}, namespace: {{app.Namespace}}}]
            """));
        return await app.Cluster.CreateServiceAccountTokenAsync(app.Namespace, account);
    }

    private Task<(int Code, string Output)> TwineAsync(string repository, string user, string password, params string[] files) =>
        PythonFixture.RunAsync("/usr/bin/twine",
            ["upload", "--non-interactive", "--disable-progress-bar", "--repository-url",
             new Uri(app.BaseAddress, $"/api/v1/namespaces/{app.Namespace}/repositories/{repository}/content/").ToString(), .. files],
            new Dictionary<string, string> { ["TWINE_USERNAME"] = user, ["TWINE_PASSWORD"] = password, ["TWINE_NON_INTERACTIVE"] = "1" });
}
