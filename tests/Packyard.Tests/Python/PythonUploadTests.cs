using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Packyard.Tests.Server;

namespace Packyard.Tests.Python;

/// <summary>twine uploads through the legacy upload API, then pip installs; hostile and conflicting uploads are refused.</summary>
public sealed class PythonUploadTests(PythonFixture app) : IClassFixture<PythonFixture>
{
    private static string UploadUrl(string repository) => $"/api/v1/namespaces/default/repositories/{repository}/content/";

    private async Task<(int Code, string Output)> TwineAsync(string repository, string? password, params string[] files)
    {
        var environment = new Dictionary<string, string> { ["TWINE_USERNAME"] = "__token__", ["TWINE_PASSWORD"] = password ?? "", ["TWINE_NON_INTERACTIVE"] = "1" };
        return await PythonFixture.RunAsync("/usr/bin/twine", ["upload", "--non-interactive", "--disable-progress-bar", "--repository-url",
            new Uri(app.BaseAddress, UploadUrl(repository)).ToString(), .. files], environment);
    }

    private async Task<HttpResponseMessage> PostAsync(string repository, string path, string? fileName = null)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("file_upload"), ":action" },
            { new StringContent("1"), "protocol_version" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(path)), "content", fileName ?? Path.GetFileName(path) },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, UploadUrl(repository)) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"__token__:{ContentAppFixture.UploadToken}")));
        return await app.Http.SendAsync(request);
    }

    [Fact]
    public async Task Twine_uploads_a_wheel_and_an_sdist_that_pip_then_installs()
    {
        var (id, name, basePath) = await app.PythonRepositoryAsync();
        var build = app.NewFolder("build");
        var wheel = PythonPackage.Wheel(build, "private-app", "1.2.0", ["private-lib>=0.3"]);
        var library = PythonPackage.Wheel(build, "private_lib", "0.3");
        var sdist = PythonPackage.Sdist(build, "private_lib", "0.3");

        var (code, output) = await TwineAsync(name, ContentAppFixture.UploadToken, wheel, library, sdist);
        Assert.True(code == 0, output);
        await app.Notifier.Published;

        var state = await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None);
        Assert.Equal(3, state.Latest.Number);
        var target = app.NewFolder("site");
        var (pipCode, pipOutput) = await app.PipWithIndexAsync(basePath, "install", "--target", target, "private-app==1.2.0");
        Assert.True(pipCode == 0, pipOutput);
        Assert.True(Directory.Exists(Path.Combine(target, "private_lib")), pipOutput);
        var page = await app.Http.GetStringAsync($"/{basePath}/simple/private-lib/");
        Assert.Contains("private_lib-0.3.tar.gz", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twine_without_credentials_is_refused_and_creates_no_version()
    {
        var (id, name, _) = await app.PythonRepositoryAsync();
        var wheel = PythonPackage.Wheel(app.NewFolder("build"), "nocreds", "1.0");

        var (code, output) = await TwineAsync(name, password: null, wheel);

        Assert.NotEqual(0, code);
        // twine always sends basic auth (here __token__ with an empty password), so the refusal is 403; no header at all is 401.
        Assert.True(output.Contains("403 Forbidden", StringComparison.Ordinal) || output.Contains("401", StringComparison.Ordinal), output);
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task Twine_with_a_wrong_token_gets_403()
    {
        var (_, name, _) = await app.PythonRepositoryAsync();
        var wheel = PythonPackage.Wheel(app.NewFolder("build"), "wrongtoken", "1.0");

        var (code, output) = await TwineAsync(name, "not-the-token", wheel);

        Assert.NotEqual(0, code);
        Assert.Contains("403", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wheel_without_METADATA_is_refused_with_400()
    {
        var (id, name, _) = await app.PythonRepositoryAsync();
        var wheel = PythonPackage.Wheel(app.NewFolder("build"), "nometa", "1.0", withMetadata: false);

        using var response = await PostAsync(name, wheel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("METADATA", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task A_wheel_whose_METADATA_names_another_project_is_refused_with_400()
    {
        var (_, name, _) = await app.PythonRepositoryAsync();
        var wheel = PythonPackage.Wheel(app.NewFolder("build"), "honest", "1.0", metadataName: "requests");

        using var response = await PostAsync(name, wheel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("names project", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_sdist_without_PKG_INFO_is_refused_with_400()
    {
        var (_, name, _) = await app.PythonRepositoryAsync();
        var sdist = PythonPackage.Sdist(app.NewFolder("build"), "noinfo", "1.0", withMetadata: false);

        using var response = await PostAsync(name, sdist);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("PKG-INFO", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploading_the_same_file_name_with_other_content_is_409_and_the_same_content_is_accepted()
    {
        var (id, name, _) = await app.PythonRepositoryAsync();
        var first = PythonPackage.Wheel(app.NewFolder("build"), "dup", "1.0");
        var second = PythonPackage.Wheel(app.NewFolder("build"), "dup", "1.0", ["something-else"]);

        using var created = await PostAsync(name, first);
        using var again = await PostAsync(name, first);
        using var conflict = await PostAsync(name, second);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("already exists", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task A_file_name_with_a_path_is_refused()
    {
        var (_, name, _) = await app.PythonRepositoryAsync();
        var wheel = PythonPackage.Wheel(app.NewFolder("build"), "pathy", "1.0");

        using var response = await PostAsync(name, wheel, fileName: "..pathy-1.0-py3-none-any.whl");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
