using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Packyard.Engine.Downloads;

namespace Packyard.Tests.Python;

/// <summary>Syncing simple indexes: the Remote's python options, served pages and their negotiation, hostile upstreams.</summary>
public sealed class PythonSyncTests(PythonFixture app) : IClassFixture<PythonFixture>
{
    private async Task<PythonIndexUpstream> UpstreamAsync()
    {
        var tree = new SimpleTree(app.NewFolder("upstream"));
        var build = tree.Packages;
        tree.Add("alpha", PythonPackage.Wheel(build, "alpha", "1.0"))
            .Add("alpha", PythonPackage.Sdist(build, "alpha", "1.0"))
            .Add("alpha", PythonPackage.Wheel(build, "alpha", "2.0"), requiresPython: ">=3.8,<4")
            .Add("alpha", PythonPackage.Wheel(build, "alpha", "3.0b1"))
            .Add("alpha", PythonPackage.Wheel(build, "alpha", "1.5"), yanked: "broken <build>")
            .Add("beta", PythonPackage.Wheel(build, "beta", "1.0", platform: "win_amd64"))
            .Add("beta", PythonPackage.Wheel(build, "beta", "1.0", platform: "manylinux2014_x86_64"))
            .Add("beta", PythonPackage.Wheel(build, "beta", "1.0", platform: "macosx_11_0_arm64"))
            .Add("gamma", PythonPackage.Wheel(build, "gamma", "0.1"))
            .Add("delta", PythonPackage.Wheel(build, "delta", "1.0a1"))
            .Add("delta", PythonPackage.Sdist(build, "delta", "1.0rc2"))
            .Write();
        return await PythonIndexUpstream.StartAsync(tree.Root);
    }

    private async Task<JsonElement> ProjectJsonAsync(string basePath, string project)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/simple/{project}/");
        request.Headers.Accept.ParseAdd("application/vnd.pypi.simple.v1+json");
        using var response = await app.Http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return default;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<List<string>> ServedFilesAsync(string basePath, string project)
    {
        var page = await ProjectJsonAsync(basePath, project);
        return page.ValueKind == JsonValueKind.Undefined ? [] : page.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("filename").GetString()!).Order(StringComparer.Ordinal).ToList();
    }

    private async Task<string> SyncedAsync(PythonIndexUpstream upstream, string options)
    {
        var repository = await app.PythonRepositoryAsync();
        await app.SyncAsync(repository, upstream.Url, options);
        return repository.BasePath;
    }

    [Fact]
    public async Task Without_includes_the_whole_index_is_mirrored_without_prereleases()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, "{}");

        Assert.Equal(["alpha-1.0-py3-none-any.whl", "alpha-1.0.tar.gz", "alpha-1.5-py3-none-any.whl", "alpha-2.0-py3-none-any.whl"], await ServedFilesAsync(basePath, "alpha"));
        Assert.Equal(3, (await ServedFilesAsync(basePath, "beta")).Count);
        Assert.Single(await ServedFilesAsync(basePath, "gamma"));
    }

    [Fact]
    public async Task Includes_select_projects_and_versions_by_specifier()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["Alpha>=1.5,<3"]}""");

        Assert.Equal(["alpha-1.5-py3-none-any.whl", "alpha-2.0-py3-none-any.whl"], await ServedFilesAsync(basePath, "alpha"));
        Assert.Empty(await ServedFilesAsync(basePath, "beta"));
        Assert.Equal(0, upstream.RequestsFor("simple/"));
    }

    [Fact]
    public async Task Excludes_drop_whole_projects_or_matching_versions()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"excludes":["gamma","alpha<2"]}""");

        Assert.Equal(["alpha-2.0-py3-none-any.whl"], await ServedFilesAsync(basePath, "alpha"));
        Assert.Empty(await ServedFilesAsync(basePath, "gamma"));
        Assert.Equal(0, upstream.RequestsFor("simple/gamma/"));
    }

    [Fact]
    public async Task Prereleases_true_mirrors_prereleases()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["alpha"],"prereleases":true}""");

        Assert.Contains("alpha-3.0b1-py3-none-any.whl", await ServedFilesAsync(basePath, "alpha"));
    }

    [Fact]
    public async Task Without_prereleases_a_project_with_only_prereleases_still_gets_them()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, "{}");

        // PEP 440: pre-releases are excluded "unless ... the only available version that satisfies the specifier is a pre-release".
        Assert.Equal(["delta-1.0a1-py3-none-any.whl", "delta-1.0rc2.tar.gz"], await ServedFilesAsync(basePath, "delta"));
        Assert.DoesNotContain("alpha-3.0b1-py3-none-any.whl", await ServedFilesAsync(basePath, "alpha"));
    }

    [Fact]
    public async Task Without_prereleases_a_specifier_only_prereleases_satisfy_still_gets_them()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["alpha>=2.5","alpha<1.2","delta<1.0rc1"]}""");

        // alpha>=2.5 is met only by 3.0b1, so it comes; alpha<1.2 is met by the final 1.0, so no alpha pre-release comes through it.
        Assert.Equal(["alpha-1.0-py3-none-any.whl", "alpha-1.0.tar.gz", "alpha-3.0b1-py3-none-any.whl"], await ServedFilesAsync(basePath, "alpha"));
        Assert.Equal(["delta-1.0a1-py3-none-any.whl"], await ServedFilesAsync(basePath, "delta"));
    }

    [Fact]
    public async Task Package_types_limit_the_mirror_to_sdists_or_wheels()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["alpha"],"packageTypes":["sdist"]}""");

        Assert.Equal(["alpha-1.0.tar.gz"], await ServedFilesAsync(basePath, "alpha"));
    }

    [Fact]
    public async Task Exclude_platforms_drops_wheels_built_only_for_those_platforms()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["beta","gamma"],"excludePlatforms":["windows","macos"]}""");

        Assert.Equal(["beta-1.0-py3-none-manylinux2014_x86_64.whl"], await ServedFilesAsync(basePath, "beta"));
        Assert.Equal(["gamma-0.1-py3-none-any.whl"], await ServedFilesAsync(basePath, "gamma"));
    }

    [Fact]
    public async Task Served_pages_keep_hashes_requires_python_and_yanked_in_both_formats()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["alpha"]}""");

        var json = await ProjectJsonAsync(basePath, "alpha");
        var files = json.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("filename").GetString()!);
        Assert.Equal(">=3.8,<4", files["alpha-2.0-py3-none-any.whl"].GetProperty("requires-python").GetString());
        Assert.Equal("broken <build>", files["alpha-1.5-py3-none-any.whl"].GetProperty("yanked").GetString());
        Assert.False(files["alpha-1.0.tar.gz"].GetProperty("yanked").GetBoolean());
        Assert.Equal(64, files["alpha-1.0.tar.gz"].GetProperty("hashes").GetProperty("sha256").GetString()!.Length);
        Assert.Equal(["1.0", "1.5", "2.0"], json.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/simple/alpha/");
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await app.Http.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
        Assert.Contains("data-requires-python=\"&gt;=3.8,&lt;4\"", html, StringComparison.Ordinal);
        Assert.Contains("data-yanked=\"broken &lt;build&gt;\"", html, StringComparison.Ordinal);
        Assert.Matches("href=\"../../packages/alpha-1.0.tar.gz#sha256=[0-9a-f]{64}\"", html);

        using var file = await app.Http.GetAsync($"/{basePath}/packages/alpha-1.0.tar.gz");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
    }

    [Theory]
    [InlineData("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01", "application/vnd.pypi.simple.v1+json")]
    [InlineData("application/vnd.pypi.simple.latest+json", "application/vnd.pypi.simple.v1+json")]
    [InlineData("application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.v1+html")]
    [InlineData("application/vnd.pypi.simple.latest+html", "application/vnd.pypi.simple.v1+html")]
    [InlineData("application/vnd.pypi.simple.v1+json;q=0.2, application/vnd.pypi.simple.v1+html;q=0.9", "application/vnd.pypi.simple.v1+html")]
    [InlineData("text/html, application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.v1+html")]
    [InlineData("text/html, application/vnd.pypi.simple.v1+json;q=0.5", "text/html")]
    [InlineData("application/vnd.pypi.simple.v1+json;q=0, text/html;q=0.1", "text/html")]
    [InlineData("application/vnd.pypi.simple.v1+json;q=abc, text/html;q=0.5", "text/html")]
    [InlineData("text/html", "text/html")]
    [InlineData("*/*", "text/html")]
    [InlineData("", "text/html")]
    public async Task Root_and_project_pages_are_chosen_by_the_Accept_header_and_name_their_type(string accept, string mediaType)
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["gamma"]}""");

        foreach (var page in (string[])["simple/", "simple/gamma/"])
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/{page}");
            if (accept.Length > 0)
            {
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }

            using var response = await app.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
            Assert.Contains("Accept", response.Headers.Vary);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("gamma", body, StringComparison.Ordinal);
            Assert.Equal(mediaType.EndsWith("+json", StringComparison.Ordinal), body.StartsWith('{'));
        }
    }

    [Theory]
    [InlineData("application/vnd.pypi.simple.v1+json;q=0")]
    [InlineData("application/xml, text/plain")]
    public async Task An_Accept_header_refusing_every_format_gets_406(string accept)
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["gamma"]}""");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/simple/gamma/");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    [Fact]
    public async Task A_non_normalised_project_name_redirects_to_the_normalised_page()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["gamma"]}""");

        using var response = await app.Http.GetAsync($"/{basePath}/simple/Gamma/");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"/{basePath}/simple/gamma/", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("simple/_gamma/")]
    [InlineData("simple/gamma./")]
    [InlineData("simple/-Gamma-/")]
    [InlineData("pypi/gamma_/json")]
    public async Task A_project_name_with_a_leading_or_trailing_separator_is_not_found_rather_than_redirected(string path)
    {
        // PEP 503 normalisation keeps such separators ("_gamma" is "-gamma", not "gamma"), and no valid name has them.
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["gamma"]}""");

        using var response = await app.Http.GetAsync($"/{basePath}/{path}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_json_api_lists_releases_and_the_latest_final_version()
    {
        await using var upstream = await UpstreamAsync();
        var basePath = await SyncedAsync(upstream, """{"includes":["alpha"],"prereleases":true}""");

        var project = JsonDocument.Parse(await app.Http.GetStringAsync($"/{basePath}/pypi/alpha/json")).RootElement;
        Assert.Equal("2.0", project.GetProperty("info").GetProperty("version").GetString());
        Assert.Equal(["1.0", "1.5", "2.0", "3.0b1"], project.GetProperty("releases").EnumerateObject().Select(p => p.Name));
        var version = JsonDocument.Parse(await app.Http.GetStringAsync($"/{basePath}/pypi/alpha/1.0/json")).RootElement;
        Assert.Equal("1.0", version.GetProperty("info").GetProperty("version").GetString());
        Assert.All(version.GetProperty("urls").EnumerateArray(), u => Assert.StartsWith("../../../packages/", u.GetProperty("url").GetString(), StringComparison.Ordinal));
        Assert.Equal(["alpha-1.0-py3-none-any.whl", "alpha-1.0.tar.gz"], version.GetProperty("urls").EnumerateArray().Select(u => u.GetProperty("filename").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_include_that_is_not_a_requirement_fails_the_sync_naming_the_field()
    {
        await using var upstream = await UpstreamAsync();
        var repository = await app.PythonRepositoryAsync();

        var error = await Assert.ThrowsAnyAsync<PackyardException>(() => app.SyncAsync(repository, upstream.Url, """{"includes":["alpha; python_version<'3'"]}"""));

        Assert.Contains("spec.python.includes[0]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_with_a_path_traversal_file_name_fails_the_sync_and_keeps_the_last_version()
    {
        await using var upstream = await UpstreamAsync();
        var repository = await app.PythonRepositoryAsync();
        var first = await app.SyncAsync(repository, upstream.Url, """{"includes":["gamma"]}""");
        var page = new StringBuilder("<html><body>\n<a href=\"../../files/x.whl#sha256=").Append('a', 64).Append("\">../../../etc/evil-1.0-py3-none-any.whl</a>\n</body></html>");
        var hostile = await HostileUpstreamAsync("gamma", page.ToString());
        await using var _ = hostile;

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => app.SyncAsync(repository, hostile.Url, """{"includes":["gamma"]}"""));

        Assert.Contains("path traversal", error.Message, StringComparison.Ordinal);
        Assert.Contains("simple/gamma/", error.Message, StringComparison.Ordinal);
        var state = await app.Catalog.GetRepositoryStateAsync(repository.Id, 1, CancellationToken.None);
        Assert.Equal(first.Version, state.Latest.Number);
        Assert.Single(await ServedFilesAsync(repository.BasePath, "gamma"));
    }

    [Fact]
    public async Task A_project_page_with_100000_links_fails_the_sync_quickly_with_a_clear_error()
    {
        var page = new StringBuilder("<html><body>\n");
        var hash = new string('b', 64);
        for (var i = 0; i < 100_000; i++)
        {
            page.Append("<a href=\"../../files/huge-1.0.").Append(i).Append("-py3-none-any.whl#sha256=").Append(hash).Append("\">huge-1.0.").Append(i).Append("-py3-none-any.whl</a><br/>\n");
        }

        await using var hostile = await HostileUpstreamAsync("huge", page.Append("</body></html>").ToString());
        var repository = await app.PythonRepositoryAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => app.SyncAsync(repository, hostile.Url, """{"includes":["huge"]}"""));

        Assert.Contains("more than 50000 files", error.Message, StringComparison.Ordinal);
        // Generous for a loaded 2-core machine (8 s alone, 19 s at load 35); a parser quadratic in links takes minutes.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(repository.Id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task A_malformed_anchor_fails_the_sync_naming_the_page()
    {
        await using var hostile = await HostileUpstreamAsync("broken", "<html><body><a href=\"x.whl\n</body></html>");
        var repository = await app.PythonRepositoryAsync();

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => app.SyncAsync(repository, hostile.Url, """{"includes":["broken"]}"""));

        Assert.Contains("simple/broken/", error.Message, StringComparison.Ordinal);
    }

    private async Task<PythonIndexUpstream> HostileUpstreamAsync(string project, string page)
    {
        var root = app.NewFolder("hostile");
        Directory.CreateDirectory(Path.Combine(root, "simple", project));
        await File.WriteAllTextAsync(Path.Combine(root, "simple", project, "index.html"), page);
        return await PythonIndexUpstream.StartAsync(root);
    }
}
