using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
    public async Task An_uploaded_wheel_gets_its_METADATA_served_as_a_metadata_file_that_pip_fetches()
    {
        var (_, name, basePath) = await app.PythonRepositoryAsync();
        var build = app.NewFolder("build");
        var wheel = PythonPackage.Wheel(build, "meta-app", "2.0", ["meta-lib>=1"], requiresPython: ">=3.7");
        var library = PythonPackage.Wheel(build, "meta-lib", "1.1");
        var sdist = PythonPackage.Sdist(build, "meta_lib", "1.1");
        var (code, output) = await TwineAsync(name, ContentAppFixture.UploadToken, wheel, library, sdist);
        Assert.True(code == 0, output);
        await app.Notifier.Published;

        byte[] expected;
        using (var zip = ZipFile.OpenRead(wheel))
        using (var entry = zip.GetEntry("meta_app-2.0.dist-info/METADATA")!.Open())
        using (var copy = new MemoryStream())
        {
            entry.CopyTo(copy);
            expected = copy.ToArray();
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(expected));
        using (var metadata = await app.Http.GetAsync($"/{basePath}/packages/meta_app-2.0-py3-none-any.whl.metadata"))
        {
            Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
            Assert.Equal(expected, await metadata.Content.ReadAsByteArrayAsync());
        }

        var html = await app.Http.GetStringAsync($"/{basePath}/simple/meta-app/");
        Assert.Contains($"data-core-metadata=\"sha256={sha256}\"", html, StringComparison.Ordinal);
        Assert.Contains($"data-dist-info-metadata=\"sha256={sha256}\"", html, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/simple/meta-lib/");
        request.Headers.Accept.ParseAdd("application/vnd.pypi.simple.v1+json");
        using var response = await app.Http.SendAsync(request);
        var files = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("filename").GetString()!);
        Assert.Equal(64, files["meta_lib-1.1-py3-none-any.whl"].GetProperty("core-metadata").GetProperty("sha256").GetString()!.Length);
        Assert.False(files["meta_lib-1.1.tar.gz"].TryGetProperty("core-metadata", out _)); // sdists: no .metadata
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync($"/{basePath}/packages/meta_lib-1.1.tar.gz.metadata")).StatusCode);

        Assert.False(files["meta_lib-1.1-py3-none-any.whl"].TryGetProperty("dist-info-metadata", out _)); // PEP 714: pip 23.0 crashes on it

        // Debian's pip (23.0.1) reads core metadata from HTML pages only (data-dist-info-metadata); from JSON it takes the
        // wheels. It installs through the JSON index (no crash on core-metadata), then through an HTML-only front it
        // resolves from the .metadata files, as the content app's request log shows.
        var (pipCode, pipOutput) = await app.PipWithIndexAsync(basePath, "install", "--target", app.NewFolder("site"), "meta-app==2.0");
        Assert.True(pipCode == 0, pipOutput);
        await using var front = await HtmlOnlyFront.StartAsync(app.BaseAddress);
        var pip = await app.PipAsync();
        (pipCode, pipOutput) = await PythonFixture.RunAsync(pip, ["install", "--isolated", "--disable-pip-version-check", "--no-cache-dir",
            "--index-url", $"{front.Url}{basePath}/simple/", "--target", app.NewFolder("site"), "meta-app==2.0"]);
        Assert.True(pipCode == 0, pipOutput);
        Assert.Contains($"/{basePath}/packages/meta_lib-1.1-py3-none-any.whl.metadata", app.RequestedPaths);
        Assert.Contains($"/{basePath}/packages/meta_app-2.0-py3-none-any.whl.metadata", front.Forwarded);
        Assert.Contains($"/{basePath}/packages/meta_lib-1.1-py3-none-any.whl", front.Forwarded);
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

    [Theory]
    [InlineData("requests")]
    [InlineData("_honest_")] // PEP 503 normalises it to "-honest-", not "honest"
    public async Task A_wheel_whose_METADATA_names_another_project_is_refused_with_400(string metadataName)
    {
        var (_, name, _) = await app.PythonRepositoryAsync();
        var wheel = PythonPackage.Wheel(app.NewFolder("build"), "honest", "1.0", metadataName: metadataName);

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
