using System.Net;
using System.Security.Cryptography;
using Packyard.Api.Resources;
using Packyard.Engine.Sync;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;
using Packyard.Tests.Storage;

namespace Packyard.Tests.Engine;

/// <summary>
/// Artifacts lost from the store (restored empty, removed by hand) while the database still records them: the next
/// Immediate sync downloads them again and says so, and a request for one lost by an OnDemand remote fetches it again.
/// Run on both stores.
/// </summary>
public abstract class StoreRepairTests(ContentAppFixture app)
{
    private const int FileCount = 12;

    private static FileUpstream Upstream(string tag)
    {
        var upstream = new FileUpstream();
        for (var i = 0; i < FileCount; i++)
        {
            upstream.Put($"dir{i % 3}/file-{i}.txt", $"{tag} content {i} {Guid.NewGuid()}");
        }

        return upstream.WriteManifest();
    }

    /// <summary>Deletes every object the database records, as a store restored empty would have none.</summary>
    private async Task EmptyStoreAsync()
    {
        await using var command = app.DataSource.CreateCommand("select sha256 from artifacts");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            await app.Store.DeleteAsync(reader.GetString(0), CancellationToken.None);
        }
    }

    private Task<SyncOutcome> SyncAsync(ContentAppFixture.ServedRepository repository) =>
        app.Get<SyncService>().SyncAsync(new SyncRequest(repository.Id, repository.Name, repository.RemoteId, repository.Remote, SyncMode.Mirror),
            null, CancellationToken.None);

    private async Task AssertServedAsync(string basePath, FileUpstream upstream)
    {
        foreach (var (path, content) in upstream.Files)
        {
            Assert.True(await app.Store.ExistsAsync(FileUpstream.Sha256(content), CancellationToken.None), $"{path} is not back in the store");
            using var response = await app.Http.GetAsync($"/{basePath}/{path}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Store_emptied_after_an_immediate_sync_is_repaired_by_a_resync_of_the_unchanged_upstream()
    {
        using var upstream = Upstream("unchanged");
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var basePath = ContentAppFixture.UniqueBasePath("repair");
        await app.DistributeAsync(basePath, repository.Id);
        await EmptyStoreAsync();

        var outcome = await SyncAsync(repository);
        var again = await SyncAsync(repository);

        Assert.False(outcome.Created);
        Assert.Equal((FileCount, FileCount), (outcome.Repaired, outcome.Downloaded));
        Assert.Equal((0, 0), (again.Repaired, again.Downloaded));
        await AssertServedAsync(basePath, upstream);
    }

    [Fact]
    public async Task Store_emptied_before_a_sync_of_a_changed_upstream_repairs_what_was_lost_and_downloads_what_is_new()
    {
        using var upstream = Upstream("changed");
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        await EmptyStoreAsync();
        upstream.Put("new.txt", "added after the loss").WriteManifest();

        var outcome = await SyncAsync(repository);
        await app.Get<Packyard.Engine.Publishing.PublicationService>().PublishAsync(repository.Id, repository.Name, "file", outcome.Version,
            PublishOptions.None, CancellationToken.None);
        var basePath = ContentAppFixture.UniqueBasePath("repair");
        await app.DistributeAsync(basePath, repository.Id);

        Assert.True(outcome.Created);
        Assert.Equal((FileCount, FileCount + 1), (outcome.Repaired, outcome.Downloaded));
        await AssertServedAsync(basePath, upstream);
    }

    [Fact]
    public async Task On_demand_artifact_lost_from_the_store_is_fetched_again_from_the_remote()
    {
        using var files = new FileUpstream().Put("lazy/a.txt", "fetched on demand, lost, fetched again").WriteManifest();
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var repository = await app.SyncedRepositoryAsync(upstream.Url, s => s with { Policy = DownloadPolicy.OnDemand });
        var basePath = ContentAppFixture.UniqueBasePath("lazy");
        await app.DistributeAsync(basePath, repository.Id);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(files.Files["lazy/a.txt"]));

        using (var first = await app.Http.GetAsync($"/{basePath}/lazy/a.txt"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Assert.True(await app.Store.ExistsAsync(sha256, CancellationToken.None));
        await app.Store.DeleteAsync(sha256, CancellationToken.None);

        foreach (var range in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/lazy/a.txt");
            if (range)
            {
                await app.Store.DeleteAsync(sha256, CancellationToken.None);
                request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(8, 17);
            }

            using var response = await app.Http.SendAsync(request);
            Assert.Equal(range ? HttpStatusCode.PartialContent : HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(range ? files.Files["lazy/a.txt"][8..18] : files.Files["lazy/a.txt"], await response.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(3, upstream.RequestsFor("lazy/a.txt"));
        Assert.True(await app.Store.ExistsAsync(sha256, CancellationToken.None));
    }
}

public sealed class FileSystemStoreRepairTests(ContentAppFixture app) : StoreRepairTests(app), IClassFixture<ContentAppFixture>;

public sealed class S3StoreRepairTests(S3ContentAppFixture app) : StoreRepairTests(app), IClassFixture<S3ContentAppFixture>;
