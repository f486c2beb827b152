using System.Net;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Engine.Publishing;

namespace Packyard.Tests.Python;

/// <summary>OnDemand syncs and pull-through distributions: pip goes upstream only for what is not already here.</summary>
public sealed class PythonPullThroughTests(PythonFixture app) : IClassFixture<PythonFixture>
{
    private async Task<PythonIndexUpstream> UpstreamAsync()
    {
        var tree = new SimpleTree(app.NewFolder("upstream"));
        var build = tree.Packages;
        tree.Add("web-app", PythonPackage.Wheel(build, "web-app", "1.0", ["web-lib"]))
            .Add("web-lib", PythonPackage.Wheel(build, "web-lib", "0.9"))
            .Add("other", PythonPackage.Wheel(build, "other", "1.0"))
            .Add("third", PythonPackage.Wheel(build, "third", "1.0"))
            .Write();
        return await PythonIndexUpstream.StartAsync(tree.Root);
    }

    /// <summary>An empty python repository (version 0, published) served with pull-through from <paramref name="upstream"/>.</summary>
    private async Task<(long Id, string BasePath)> PullThroughDistributionAsync(Uri upstream)
    {
        var name = $"pt-{Guid.NewGuid():N}";
        var id = await app.Catalog.EnsureRepositoryAsync("default", name, "python", CancellationToken.None);
        await app.Get<PublicationService>().PublishAsync(id, name, "python", 0, PublishOptions.None, CancellationToken.None);
        var (_, remoteId) = await app.RemoteAsync($"remote-{name}", upstream, s => s with { Type = "python", Policy = DownloadPolicy.OnDemand });
        var basePath = PythonFixture.UniqueBasePath("pt");
        await app.Catalog.UpsertDistributionAsync(new DistributionRecord("default", $"dist-{name}", basePath, id, null, false, null, remoteId), CancellationToken.None);
        app.Distributions.Invalidate();
        return (id, basePath);
    }

    [Fact]
    public async Task An_OnDemand_sync_downloads_files_only_when_pip_asks_for_them()
    {
        await using var upstream = await UpstreamAsync();
        var repository = await app.PythonRepositoryAsync();
        var outcome = await app.SyncAsync(repository, upstream.Url, """{"includes":["web-app","web-lib"]}""", DownloadPolicy.OnDemand);
        Assert.Equal(0, outcome.Downloaded);
        Assert.Equal(0, upstream.RequestsFor("files/web_lib-0.9-py3-none-any.whl"));

        var target = app.NewFolder("site");
        var (code, output) = await app.PipWithIndexAsync(repository.BasePath, "install", "--target", target, "web-app");

        Assert.True(code == 0, output);
        Assert.Equal(1, upstream.RequestsFor("files/web_lib-0.9-py3-none-any.whl"));
    }

    [Fact]
    public async Task A_pull_through_distribution_fetches_a_missing_project_and_serves_it_again_with_the_upstream_stopped()
    {
        var upstream = await UpstreamAsync();
        var (id, basePath) = await PullThroughDistributionAsync(upstream.Url);

        var (code, output) = await app.PipWithIndexAsync(basePath, "download", "-d", app.NewFolder("first"), "web-app");
        Assert.True(code == 0, output);
        await upstream.DisposeAsync();

        var second = app.NewFolder("second");
        (code, output) = await app.PipWithIndexAsync(basePath, "download", "-d", second, "web-app");

        Assert.True(code == 0, output);
        Assert.Equal(["web_app-1.0-py3-none-any.whl", "web_lib-0.9-py3-none-any.whl"], Directory.GetFiles(second).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var state = await app.Catalog.GetRepositoryStateAsync(id, 5, CancellationToken.None);
        Assert.Equal(["web-app", "web-lib"], await ProjectsAsync(basePath));
        Assert.InRange(state.Latest.Number, 1, 2);
    }

    [Fact]
    public async Task Concurrent_pull_through_requests_are_batched_into_one_version()
    {
        await using var upstream = await UpstreamAsync();
        var (id, basePath) = await PullThroughDistributionAsync(upstream.Url);

        var responses = await Task.WhenAll(new[] { "web-lib", "other", "third" }.Select(p => app.Http.GetAsync($"/{basePath}/simple/{p}/")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
        Assert.Equal(["other", "third", "web-lib"], await ProjectsAsync(basePath));
    }

    [Fact]
    public async Task A_project_the_upstream_does_not_have_is_404_and_creates_no_version()
    {
        await using var upstream = await UpstreamAsync();
        var (id, basePath) = await PullThroughDistributionAsync(upstream.Url);

        using var response = await app.Http.GetAsync($"/{basePath}/simple/no-such-project/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    private async Task<List<string>> ProjectsAsync(string basePath)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/simple/");
        request.Headers.Accept.ParseAdd("application/vnd.pypi.simple.v1+json");
        using var response = await app.Http.SendAsync(request);
        var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();
    }
}
