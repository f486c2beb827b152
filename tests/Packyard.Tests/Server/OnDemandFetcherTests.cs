using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Server;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Server;

public sealed class OnDemandFetcherTests(ContentAppFixture app) : IClassFixture<ContentAppFixture>
{
    private async Task<string> ServeAsync(HttpUpstream upstream, DownloadPolicy policy)
    {
        var repository = await app.SyncedRepositoryAsync(upstream.Url, s => s with { Policy = policy });
        var basePath = ContentAppFixture.UniqueBasePath("lazy");
        await app.DistributeAsync(basePath, repository.Id);
        return basePath;
    }

    private Task<bool> StoredAsync(string content) =>
        app.Store.ExistsAsync(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))), CancellationToken.None);

    [Fact]
    public async Task First_request_fetches_from_upstream_once_and_the_file_stays_served_after_upstream_is_gone()
    {
        using var files = new FileUpstream().Put("pkg/a.txt", "fetched on demand").WriteManifest();
        var upstream = await HttpUpstream.StartAsync(files.Path);
        var running = true;
        try
        {
            var basePath = await ServeAsync(upstream, DownloadPolicy.OnDemand);
            Assert.Equal(0, upstream.RequestsFor("pkg/a.txt"));
            Assert.False(await StoredAsync("fetched on demand"));

            using var first = await app.Http.GetAsync($"/{basePath}/pkg/a.txt");
            Assert.Equal((HttpStatusCode.OK, "fetched on demand"), (first.StatusCode, await first.Content.ReadAsStringAsync()));
            Assert.Equal($"\"{FileUpstream.Sha256("fetched on demand"u8.ToArray())}\"", first.Headers.ETag?.Tag);
            Assert.Equal(1, upstream.RequestsFor("pkg/a.txt"));
            Assert.True(await StoredAsync("fetched on demand"));

            using var second = await app.Http.GetAsync($"/{basePath}/pkg/a.txt");
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal(1, upstream.RequestsFor("pkg/a.txt"));

            await upstream.DisposeAsync();
            running = false;
            using var afterUpstreamGone = await app.Http.GetAsync($"/{basePath}/pkg/a.txt");
            Assert.Equal((HttpStatusCode.OK, "fetched on demand"), (afterUpstreamGone.StatusCode, await afterUpstreamGone.Content.ReadAsStringAsync()));
        }
        finally
        {
            if (running)
            {
                await upstream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Concurrent_first_requests_share_one_upstream_download()
    {
        var content = string.Concat(Enumerable.Repeat("shared download ", 4096));
        using var files = new FileUpstream().Put("big.txt", content).WriteManifest();
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var basePath = await ServeAsync(upstream, DownloadPolicy.OnDemand);
        upstream.Delay = TimeSpan.FromMilliseconds(500);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await app.Http.GetAsync($"/{basePath}/big.txt");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }));

        Assert.All(responses, r => Assert.Equal((HttpStatusCode.OK, content), r));
        Assert.Equal(1, upstream.RequestsFor("big.txt"));
    }

    [Fact]
    public async Task A_request_that_looked_the_file_up_before_the_first_download_finished_does_not_download_it_again()
    {
        const string content = "looked up while another request was downloading";
        using var files = new FileUpstream().Put("late.txt", content).WriteManifest();
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var repository = await app.SyncedRepositoryAsync(upstream.Url, s => s with { Policy = DownloadPolicy.OnDemand });
        var basePath = ContentAppFixture.UniqueBasePath("lazy");
        await app.DistributeAsync(basePath, repository.Id);
        using var first = await app.Http.GetAsync($"/{basePath}/late.txt");
        Assert.Equal((HttpStatusCode.OK, content), (first.StatusCode, await first.Content.ReadAsStringAsync()));

        // What a concurrent request holds when it read the publication before the first download was stored.
        var bytes = Encoding.UTF8.GetBytes(content);
        var stale = new ServedFile(FileUpstream.Sha256(bytes), bytes.Length, null, DateTimeOffset.UtcNow, Stored: false, ContentArtifactId: null);
        var source = new ArtifactSource(repository.Remote, new Uri(upstream.Url, "late.txt"));
        var stored = await app.AppServices.GetRequiredService<OnDemandFetcher>().FetchAsync(stale, "late.txt", source, CancellationToken.None);

        Assert.Equal((stale.Sha256, (long)bytes.Length), (stored.Sha256, stored.Size));
        Assert.Equal(1, upstream.RequestsFor("late.txt"));
    }

    [Fact]
    public async Task Digest_mismatch_on_demand_is_502_naming_the_file_and_stores_nothing()
    {
        using var files = new FileUpstream().Put("bad.txt", "tampered").WriteManifest(
            $"bad.txt,{FileUpstream.Sha256("original"u8.ToArray())},8\n");
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var basePath = await ServeAsync(upstream, DownloadPolicy.OnDemand);

        using var response = await app.Http.GetAsync($"/{basePath}/bad.txt");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("bad.txt", await response.Content.ReadAsStringAsync());
        Assert.False(await StoredAsync("tampered"));
        Assert.False(await StoredAsync("original"));
    }

    [Fact]
    public async Task Unreachable_upstream_on_demand_is_502_and_a_later_request_succeeds_once_it_answers()
    {
        using var files = new FileUpstream().Put("flaky.txt", "eventually").WriteManifest();
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var basePath = await ServeAsync(upstream, DownloadPolicy.OnDemand);
        upstream.Failures["flaky.txt"] = 500;

        using var failed = await app.Http.GetAsync($"/{basePath}/flaky.txt");
        upstream.Failures.Clear();
        using var served = await app.Http.GetAsync($"/{basePath}/flaky.txt");

        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "eventually"), (served.StatusCode, await served.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Streamed_policy_serves_the_file_but_never_stores_it()
    {
        using var files = new FileUpstream().Put("stream.txt", "passing through").WriteManifest();
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var basePath = await ServeAsync(upstream, DownloadPolicy.Streamed);

        using var first = await app.Http.GetAsync($"/{basePath}/stream.txt");
        using var second = await app.Http.GetAsync($"/{basePath}/stream.txt");

        Assert.Equal((HttpStatusCode.OK, "passing through"), (first.StatusCode, await first.Content.ReadAsStringAsync()));
        Assert.Equal("text/plain", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal(15, first.Content.Headers.ContentLength);
        Assert.Equal((HttpStatusCode.OK, "passing through"), (second.StatusCode, await second.Content.ReadAsStringAsync()));
        Assert.Equal(2, upstream.RequestsFor("stream.txt"));
        Assert.False(await StoredAsync("passing through"));
    }

    [Fact]
    public async Task Streamed_file_that_does_not_match_its_digest_is_not_delivered_as_a_complete_response()
    {
        // Same length as declared, different bytes: only the digest can tell.
        using var files = new FileUpstream().Put("swapped.txt", "tampered").WriteManifest(
            $"swapped.txt,{FileUpstream.Sha256("original"u8.ToArray())},8\n");
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var basePath = await ServeAsync(upstream, DownloadPolicy.Streamed);

        var outcome = "";
        try
        {
            using var response = await app.Http.GetAsync($"/{basePath}/swapped.txt");
            outcome = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        catch (HttpRequestException e)
        {
            outcome = $"aborted: {e.Message}";
        }

        Assert.DoesNotContain("200 tampered", outcome);
    }
}
