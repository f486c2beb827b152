using System.Net;
using Packyard.Engine.Catalog;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Server;

public sealed class DistributionCacheTests(ContentAppFixture app) : IClassFixture<ContentAppFixture>
{
    private async Task<long> RepositoryAsync(string content)
    {
        using var upstream = new FileUpstream().Put("x", content).Put("dir/y.txt", content + "/y").WriteManifest();
        return (await app.SyncedRepositoryAsync(upstream.FileUrl)).Id;
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await app.Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Base_paths_match_by_whole_segments_and_the_longest_wins()
    {
        var a = ContentAppFixture.UniqueBasePath("a");
        await app.DistributeAsync(a, await RepositoryAsync("from a"));
        await app.DistributeAsync($"{a}/b", await RepositoryAsync("from a/b"));

        Assert.Equal((HttpStatusCode.OK, "from a/b"), await GetAsync($"/{a}/b/x"));
        Assert.Equal((HttpStatusCode.OK, "from a/b/y"), await GetAsync($"/{a}/b/dir/y.txt"));
        Assert.Equal((HttpStatusCode.OK, "from a"), await GetAsync($"/{a}/x"));
        Assert.Equal((HttpStatusCode.OK, "from a/y"), await GetAsync($"/{a}/dir/y.txt"));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{a}b/x")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{a}/bb/x")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{a[..^1]}/x")).Status);
    }

    [Fact]
    public async Task Nested_base_path_under_a_deeper_prefix_still_falls_back_to_its_parent()
    {
        var root = ContentAppFixture.UniqueBasePath("org");
        await app.DistributeAsync($"{root}/team/tools", await RepositoryAsync("tools"));
        await app.DistributeAsync(root, await RepositoryAsync("org"));

        Assert.Equal((HttpStatusCode.OK, "tools"), await GetAsync($"/{root}/team/tools/x"));
        // "team" is not a distribution: the path belongs to the org distribution, which has no team/ folder.
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{root}/team/x")).Status);
        Assert.Equal((HttpStatusCode.OK, "org"), await GetAsync($"/{root}/x"));
    }

    [Fact]
    public async Task Deleted_distribution_stops_serving_at_once()
    {
        var basePath = ContentAppFixture.UniqueBasePath();
        var name = await app.DistributeAsync(basePath, await RepositoryAsync("doomed"));
        Assert.Equal((HttpStatusCode.OK, "doomed"), await GetAsync($"/{basePath}/x"));

        await app.Catalog.DeleteDistributionAsync("default", name, CancellationToken.None);
        app.Distributions.Invalidate();

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{basePath}/x")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{basePath}/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{basePath}/PULP_MANIFEST")).Status);
    }

    [Fact]
    public async Task Deleted_distribution_stops_serving_within_a_moment_through_the_change_notification_alone()
    {
        var basePath = ContentAppFixture.UniqueBasePath();
        var name = await app.DistributeAsync(basePath, await RepositoryAsync("doomed"));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/{basePath}/x")).Status);

        // No Invalidate here: the ChangeListener hears the catalog's NOTIFY (as another replica would).
        await app.Catalog.DeleteDistributionAsync("default", name, CancellationToken.None);

        var deadline = DateTimeOffset.UtcNow.AddSeconds(5);
        var status = HttpStatusCode.OK;
        while (DateTimeOffset.UtcNow < deadline && (status = (await GetAsync($"/{basePath}/x")).Status) != HttpStatusCode.NotFound)
        {
            await Task.Delay(50);
        }

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Pinned_distribution_keeps_serving_its_version_after_newer_publications()
    {
        using var upstream = new FileUpstream().Put("x", "one").WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var pinned = ContentAppFixture.UniqueBasePath("pinned");
        var latest = ContentAppFixture.UniqueBasePath("latest");
        await app.Catalog.UpsertDistributionAsync(new DistributionRecord("default", $"pinned-{repository.Name}", pinned, repository.Id, 1, false, null, null), CancellationToken.None);
        await app.DistributeAsync(latest, repository.Id);

        upstream.Put("x", "two").WriteManifest();
        await repository.SyncAndPublishAsync();

        Assert.Equal((HttpStatusCode.OK, "one"), await GetAsync($"/{pinned}/x"));
        Assert.Equal((HttpStatusCode.OK, "two"), await GetAsync($"/{latest}/x"));
    }
}
