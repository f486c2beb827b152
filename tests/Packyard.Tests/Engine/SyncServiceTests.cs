using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Sync;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

public sealed class SyncServiceTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    private async Task<(long RepositoryId, Func<SyncMode, Task<SyncOutcome>> Sync)> RepositoryAsync(Uri url, Func<RemoteSettings, RemoteSettings>? change = null)
    {
        var name = $"repo-{Guid.NewGuid():N}";
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);
        var (settings, remoteId) = await engine.RemoteAsync($"remote-{name}", url, change);
        return (repositoryId, mode => engine.Get<SyncService>().SyncAsync(
            new SyncRequest(repositoryId, name, remoteId, settings, mode), null, CancellationToken.None));
    }

    [Fact]
    public async Task Sync_creates_a_version_with_every_manifest_entry_and_stores_their_artifacts()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").Put("dir/b.txt", "beta").WriteManifest();
        var (_, sync) = await RepositoryAsync(upstream.FileUrl);

        var outcome = await sync(SyncMode.Additive);

        Assert.True(outcome.Created);
        Assert.Equal((1L, 2L, 0L, 2L), (outcome.Version, outcome.Added, outcome.Removed, outcome.ContentCount));
        foreach (var content in upstream.Files.Values)
        {
            Assert.True(await engine.Store.ExistsAsync(FileUpstream.Sha256(content), CancellationToken.None));
        }
    }

    [Fact]
    public async Task Sync_with_unchanged_upstream_creates_no_version()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var (_, sync) = await RepositoryAsync(upstream.FileUrl);
        await sync(SyncMode.Mirror);

        var again = await sync(SyncMode.Mirror);

        Assert.False(again.Created);
        Assert.Equal(1, again.Version);
    }

    [Theory]
    [InlineData(SyncMode.Additive, 3L, 2L, 1L)] // b replaced (1 removed), c added, a kept
    [InlineData(SyncMode.Mirror, 2L, 2L, 2L)] // b replaced, c added, a removed
    public async Task Upstream_changes_produce_a_version_with_the_right_counts(SyncMode mode, long count, long added, long removed)
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").Put("b.txt", "beta").WriteManifest();
        var (_, sync) = await RepositoryAsync(upstream.FileUrl);
        await sync(mode);

        upstream.Remove("a.txt").Put("b.txt", "beta, changed").Put("c.txt", "gamma").WriteManifest();
        var outcome = await sync(mode);

        Assert.True(outcome.Created);
        Assert.Equal((2L, added, removed, count), (outcome.Version, outcome.Added, outcome.Removed, outcome.ContentCount));
    }

    [Fact]
    public async Task Digest_mismatch_fails_sync_and_names_the_file()
    {
        using var upstream = new FileUpstream().Put("good.txt", "fine").Put("bad.txt", "tampered").WriteManifest(
            $"good.txt,{FileUpstream.Sha256("fine"u8.ToArray())},4\nbad.txt,{FileUpstream.Sha256("original"u8.ToArray())},8\n");
        var (repositoryId, sync) = await RepositoryAsync(upstream.FileUrl);

        var error = await Assert.ThrowsAsync<ArtifactDigestException>(() => sync(SyncMode.Mirror));

        Assert.Contains("bad.txt", error.Message);
        var state = await engine.Catalog.GetRepositoryStateAsync(repositoryId, 5, CancellationToken.None);
        Assert.Equal(0, state.Latest.Number);
    }

    [Theory]
    [InlineData("../escape.txt", "'..'")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("a//b.txt", "empty")]
    public async Task Unsafe_manifest_paths_are_rejected(string path, string reason)
    {
        using var upstream = new FileUpstream().WriteManifest($"{path},{new string('a', 64)},1\n");
        var (_, sync) = await RepositoryAsync(upstream.FileUrl);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => sync(SyncMode.Mirror));

        Assert.Contains("PULP_MANIFEST:1", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task Malformed_manifest_line_is_reported_with_its_line_number()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest(
            $"a.txt,{FileUpstream.Sha256("alpha"u8.ToArray())},5\n\nnot-a-manifest-line\n");
        var (_, sync) = await RepositoryAsync(upstream.FileUrl);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => sync(SyncMode.Mirror));

        Assert.Contains("PULP_MANIFEST:3", error.Message);
        Assert.Contains("3 comma-separated fields", error.Message);
    }

    [Fact]
    public async Task Absurdly_long_manifest_line_fails_without_reading_it_whole()
    {
        using var upstream = new FileUpstream().WriteManifest(new string('x', 10_000_000) + ",abc,1\n");
        var (repositoryId, sync) = await RepositoryAsync(upstream.FileUrl);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => sync(SyncMode.Mirror));

        Assert.Contains("PULP_MANIFEST:1: line longer than", error.Message);
        Assert.Equal(0, (await engine.Catalog.GetRepositoryStateAsync(repositoryId, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task Same_path_declared_twice_with_different_digests_is_refused()
    {
        using var upstream = new FileUpstream().WriteManifest($"a.txt,{new string('a', 64)},1\na.txt,{new string('b', 64)},1\n");
        var (_, sync) = await RepositoryAsync(upstream.FileUrl);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => sync(SyncMode.Mirror));

        Assert.Contains("'a.txt' more than once", error.Message);
    }

    [Fact]
    public async Task OnDemand_sync_stores_metadata_but_downloads_nothing()
    {
        using var upstream = new FileUpstream().Put("big.bin", new byte[4096]).WriteManifest();
        await using var http = await HttpUpstream.StartAsync(upstream.Path);
        var (_, sync) = await RepositoryAsync(http.Url, s => s with { Policy = DownloadPolicy.OnDemand });

        var outcome = await sync(SyncMode.Mirror);

        Assert.Equal(1, outcome.ContentCount);
        Assert.Equal(0, outcome.Downloaded);
        Assert.Equal(0, http.RequestsFor("big.bin"));
        Assert.False(await engine.Store.ExistsAsync(FileUpstream.Sha256(new byte[4096]), CancellationToken.None));
    }

    [Fact]
    public async Task Transient_upstream_errors_are_retried()
    {
        using var upstream = new FileUpstream().Put("flaky.txt", "eventually").WriteManifest();
        await using var http = await HttpUpstream.StartAsync(upstream.Path);
        http.Failures["flaky.txt"] = 503;
        http.FailTimes["flaky.txt"] = 2;
        var (_, sync) = await RepositoryAsync(http.Url);

        var outcome = await sync(SyncMode.Mirror);

        Assert.Equal(1, outcome.Downloaded);
        Assert.Equal(3, http.RequestsFor("flaky.txt"));
    }

    [Fact]
    public async Task Upstream_that_keeps_failing_fails_the_sync_without_a_version()
    {
        using var upstream = new FileUpstream().Put("down.txt", "never").WriteManifest();
        await using var http = await HttpUpstream.StartAsync(upstream.Path);
        http.Failures["down.txt"] = 500;
        var (repositoryId, sync) = await RepositoryAsync(http.Url);

        var error = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => sync(SyncMode.Mirror));

        Assert.Contains("HTTP 500", error.Message);
        Assert.Equal(0, (await engine.Catalog.GetRepositoryStateAsync(repositoryId, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task Basic_auth_credentials_of_the_remote_are_sent_to_the_upstream()
    {
        using var upstream = new FileUpstream().Put("secret.txt", "classified").WriteManifest();
        await using var http = await HttpUpstream.StartAsync(upstream.Path);
        http.RequiredBasicAuth = ("reader", "s3cret");
        var (_, withoutAuth) = await RepositoryAsync(http.Url);
        var (_, withAuth) = await RepositoryAsync(http.Url, s => s with { Username = "reader", Password = "s3cret" });

        var refused = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => withoutAuth(SyncMode.Mirror));
        var outcome = await withAuth(SyncMode.Mirror);

        Assert.Contains("401", refused.Message);
        Assert.Contains("authSecretRef", refused.Message);
        Assert.Equal(1, outcome.Downloaded);
    }

    [Fact]
    public async Task Interrupted_sync_leaves_no_version_and_the_next_one_reuses_downloaded_artifacts()
    {
        using var upstream = new FileUpstream();
        for (var i = 0; i < 40; i++)
        {
            upstream.Put($"f{i:D2}.txt", $"file {i}");
        }

        upstream.WriteManifest();
        await using var http = await HttpUpstream.StartAsync(upstream.Path);
        http.Failures["f39.txt"] = 404; // the last file is missing: the first sync fails after downloading the others
        var (repositoryId, sync) = await RepositoryAsync(http.Url, s => s with { Concurrency = 1 });

        await Assert.ThrowsAsync<UpstreamUnavailableException>(() => sync(SyncMode.Mirror));
        Assert.Equal(0, (await engine.Catalog.GetRepositoryStateAsync(repositoryId, 1, CancellationToken.None)).Latest.Number);
        var firstAttempt = http.Requests.Where(r => r.Key != "PULP_MANIFEST").Sum(r => r.Value);

        http.Failures.Clear();
        http.Requests.Clear();
        var outcome = await sync(SyncMode.Mirror);

        Assert.True(firstAttempt > 1);
        Assert.Equal(40, outcome.ContentCount);
        Assert.Equal(40 - (firstAttempt - 1), outcome.Downloaded);
        Assert.All(http.Requests.Where(r => r.Key != "PULP_MANIFEST"), r => Assert.Equal(1, r.Value));
    }
}
