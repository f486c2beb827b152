using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Server;

public sealed class UploadEndpointTests(ContentAppFixture app) : IClassFixture<ContentAppFixture>
{
    private static string UploadPath(string repository) => $"/api/v1/namespaces/default/repositories/{repository}/content";

    private static MultipartFormDataContent Form(string fileName, string content, string? relativePath = null)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", fileName } };
        if (relativePath is not null)
        {
            form.Add(new StringContent(relativePath), "relativePath");
        }

        return form;
    }

    private Task<HttpResponseMessage> UploadAsync(string repository, HttpContent content, string? token = ContentAppFixture.UploadToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, UploadPath(repository)) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return app.Http.SendAsync(request);
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;

    [Fact]
    public async Task Upload_without_credentials_is_401_with_a_bearer_challenge()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadAsync(name, Form("a.txt", "alpha"), token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.DoesNotContain($"default/{name}", app.Notifier.Calls);
    }

    [Fact]
    public async Task Upload_with_a_wrong_token_is_403()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadAsync(name, Form("a.txt", "alpha"), token: "not-the-token");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"default/{name}", await ErrorAsync(response));
    }

    [Fact]
    public async Task Upload_to_a_repository_with_uploads_disabled_is_403_naming_the_setting()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: false);

        using var response = await UploadAsync(name, Form("a.txt", "alpha"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("spec.uploads.enabled", await ErrorAsync(response));
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task Upload_to_an_unknown_repository_is_404()
    {
        using var response = await UploadAsync("no-such-repository", Form("a.txt", "alpha"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("default/no-such-repository", await ErrorAsync(response));
    }

    [Fact]
    public async Task Upload_that_is_not_multipart_is_415()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadAsync(name, new StringContent("just bytes", Encoding.UTF8, "application/octet-stream"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("multipart/form-data", await ErrorAsync(response));
    }

    [Fact]
    public async Task Upload_without_a_file_part_is_400()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        using var form = new MultipartFormDataContent { { new StringContent("a.txt"), "relativePath" } };

        using var response = await UploadAsync(name, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no file part", await ErrorAsync(response));
    }

    [Fact]
    public async Task Good_upload_creates_a_version_and_once_published_the_file_is_served_at_its_relative_path()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        var basePath = ContentAppFixture.UniqueBasePath("up");
        await app.DistributeAsync(basePath, id);

        using var response = await UploadAsync(name, Form("local-name.txt", "uploaded bytes", relativePath: "tools/v1/tool.txt"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("version").GetInt64());
        Assert.True(body.GetProperty("created").GetBoolean());
        Assert.Equal("tools/v1/tool.txt", body.GetProperty("relativePath").GetString());
        Assert.Equal(FileUpstream.Sha256("uploaded bytes"u8.ToArray()), body.GetProperty("sha256").GetString());
        Assert.Equal(14, body.GetProperty("size").GetInt64());
        Assert.Contains($"default/{name}", app.Notifier.Calls);

        await app.Notifier.Published;
        using var served = await app.Http.GetAsync($"/{basePath}/tools/v1/tool.txt");
        Assert.Equal((HttpStatusCode.OK, "uploaded bytes"), (served.StatusCode, await served.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Upload_without_relative_path_is_served_at_its_file_name()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        var basePath = ContentAppFixture.UniqueBasePath("up");
        await app.DistributeAsync(basePath, id);

        using var response = await UploadAsync(name, Form("plain.txt", "plain"));
        await app.Notifier.Published;
        using var served = await app.Http.GetAsync($"/{basePath}/plain.txt");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "plain"), (served.StatusCode, await served.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("dir/../../escape.txt")]
    [InlineData("/etc/passwd")]
    public async Task Upload_with_an_unsafe_relative_path_is_400_and_creates_no_version(string relativePath)
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadAsync(name, Form("a.txt", "alpha", relativePath));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(relativePath, await ErrorAsync(response));
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task Uploading_the_same_content_twice_is_200_without_a_new_version()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        using var first = await UploadAsync(name, Form("same.txt", "same bytes"));
        var calls = app.Notifier.Calls.Count(c => c == $"default/{name}");

        using var second = await UploadAsync(name, Form("same.txt", "same bytes"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var body = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("version").GetInt64());
        Assert.False(body.GetProperty("created").GetBoolean());
        Assert.Equal(1, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
        Assert.Equal(calls, app.Notifier.Calls.Count(c => c == $"default/{name}"));
    }

    [Fact]
    public async Task Basic_auth_with_the_token_as_password_is_accepted_as_twine_sends_it()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        var request = new HttpRequestMessage(HttpMethod.Post, UploadPath(name)) { Content = Form("twine.txt", "from twine") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"__token__:{ContentAppFixture.UploadToken}")));

        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
