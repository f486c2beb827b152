using System.Net;
using System.Text;
using Packyard.Engine.Catalog;
using Packyard.Engine.Publishing;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;
using Packyard.Tests.Versions;

namespace Packyard.Tests.Engine;

/// <summary>
/// The deletion grace period in the engine (real PostgreSQL, filesystem store, the content app serving): a deleted repository is
/// detached with its versions, publications and artifacts; re-created with the same namespace, name and type it is the same
/// repository again; after the grace orphan cleanup reclaims it; with no grace it is deleted at once.
/// </summary>
public sealed class DeletionGraceTests(ContentAppFixture app) : IClassFixture<ContentAppFixture>
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A file repository synced to version 1 (one.txt), with an upload making version 2, both published and served.</summary>
    private async Task<Served> ServedWithUploadAsync()
    {
        var marker = Guid.NewGuid().ToString("N");
        var upstream = new FileUpstream().Put("one.txt", $"one {marker}\n").WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var upload = await VersionContent.UploadAsync(app, repository.Id, "uploaded.txt", $"uploaded {marker}\n");
        Assert.Equal(2, upload.Version);
        await app.Get<PublicationService>().PublishAsync(repository.Id, repository.Name, "file", 2, PublishOptions.None, None);
        var basePath = ContentAppFixture.UniqueBasePath();
        await app.DistributeAsync(basePath, repository.Id);
        return new Served(upstream, repository.Id, repository.Name, basePath, marker);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        app.Distributions.Invalidate();
        using var response = await app.Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<bool> StoredAsync(string content) => app.Store.ExistsAsync(FileUpstream.Sha256(Encoding.UTF8.GetBytes(content)), None);

    private async Task<long> CountAsync(string sql, long repositoryId)
    {
        await using var command = app.DataSource.CreateCommand(sql);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = repositoryId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_deleted_repository_keeps_its_versions_publications_and_artifacts_and_is_no_longer_served()
    {
        var served = await ServedWithUploadAsync();
        using var upstream = served.Upstream;
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/{served.BasePath}/uploaded.txt")).Status);

        var deletion = await app.Catalog.DetachRepositoryAsync("default", served.Name, Grace, None);

        Assert.NotNull(deletion);
        Assert.Equal((served.Id, 2L), (deletion.Id, deletion.LatestVersion));
        Assert.Equal(deletion.Deleted + Grace, deletion.KeepUntil);
        Assert.Null(await app.Catalog.FindRepositoryAsync("default", served.Name, None));
        Assert.Null(await app.Catalog.FindUploadTargetAsync("default", served.Name, None));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{served.BasePath}/uploaded.txt")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{served.BasePath}/PULP_MANIFEST")).Status);

        await app.Get<OrphanCleaner>().CleanAsync(TimeSpan.Zero, None);

        Assert.Equal([0L, 1L, 2L], await VersionContent.NumbersAsync(app, served.Id));
        Assert.Equal(2, await CountAsync("select count(*) from publications where repository_id = $1", served.Id));
        Assert.True(await StoredAsync($"one {served.Marker}\n"));
        Assert.True(await StoredAsync($"uploaded {served.Marker}\n"));
        Assert.Null(await app.Catalog.DetachRepositoryAsync("default", served.Name, Grace, None));
    }

    [Fact]
    public async Task Recreated_with_the_same_type_within_the_grace_it_gets_back_the_same_versions_and_served_content()
    {
        var served = await ServedWithUploadAsync();
        using var upstream = served.Upstream;
        var manifest = await GetAsync($"/{served.BasePath}/PULP_MANIFEST");
        var files = await VersionContent.ListAsync(app, served.Id, 2);
        var deletion = await app.Catalog.DetachRepositoryAsync("default", served.Name, Grace, None);
        await app.Get<OrphanCleaner>().CleanAsync(TimeSpan.Zero, None);

        var attached = await app.Catalog.AttachRepositoryAsync("default", served.Name, "file", None);

        Assert.Equal(served.Id, attached.Id);
        Assert.Equal(new RestoredRepository(deletion!.Deleted, 1, 2), attached.Restored);
        Assert.Equal(attached.Id, await app.Catalog.FindRepositoryAsync("default", served.Name, None));
        Assert.Equal([0L, 1L, 2L], await VersionContent.NumbersAsync(app, served.Id));
        Assert.Equal(files, await VersionContent.ListAsync(app, served.Id, 2));
        Assert.Equal(manifest, await GetAsync($"/{served.BasePath}/PULP_MANIFEST"));
        Assert.Equal((HttpStatusCode.OK, $"one {served.Marker}\n"), await GetAsync($"/{served.BasePath}/one.txt"));
        Assert.Equal((HttpStatusCode.OK, $"uploaded {served.Marker}\n"), await GetAsync($"/{served.BasePath}/uploaded.txt"));

        // Only once: it is live again, and version numbers keep growing from where they were.
        Assert.Null((await app.Catalog.AttachRepositoryAsync("default", served.Name, "file", None)).Restored);
        Assert.Equal(3, (await VersionContent.UploadAsync(app, served.Id, "later.txt", "later\n")).Version);
    }

    [Fact]
    public async Task Recreated_with_another_type_it_starts_empty_and_the_kept_one_stays_detached_until_a_same_type_one_returns()
    {
        var served = await ServedWithUploadAsync();
        using var upstream = served.Upstream;
        await app.Catalog.DetachRepositoryAsync("default", served.Name, Grace, None);

        var python = await app.Catalog.AttachRepositoryAsync("default", served.Name, "python", None);

        Assert.Null(python.Restored);
        Assert.NotEqual(served.Id, python.Id);
        Assert.Equal([0L], await VersionContent.NumbersAsync(app, python.Id));
        Assert.Equal([0L, 1L, 2L], await VersionContent.NumbersAsync(app, served.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{served.BasePath}/one.txt")).Status);
        await app.Get<OrphanCleaner>().CleanAsync(TimeSpan.Zero, None);
        Assert.True(await StoredAsync($"uploaded {served.Marker}\n"));

        // The python one goes (at once) and a file one comes back within the grace: the kept repository returns.
        Assert.Null((await app.Catalog.DetachRepositoryAsync("default", served.Name, TimeSpan.Zero, None))!.KeepUntil);
        var file = await app.Catalog.AttachRepositoryAsync("default", served.Name, "file", None);
        Assert.Equal(served.Id, file.Id);
        Assert.Equal((1L, 2L), (file.Restored!.FirstVersion, file.Restored.LatestVersion));
        Assert.Equal((HttpStatusCode.OK, $"uploaded {served.Marker}\n"), await GetAsync($"/{served.BasePath}/uploaded.txt"));
    }

    [Fact]
    public async Task After_the_grace_orphan_cleanup_removes_the_repository_and_its_artifacts()
    {
        var served = await ServedWithUploadAsync();
        using var upstream = served.Upstream;
        var deletion = await app.Catalog.DetachRepositoryAsync("default", served.Name, TimeSpan.FromMilliseconds(500), None);
        await app.Get<OrphanCleaner>().CleanAsync(TimeSpan.Zero, None);
        Assert.True(await StoredAsync($"uploaded {served.Marker}\n"));

        await Task.Delay(TimeSpan.FromSeconds(1));
        await app.Get<OrphanCleaner>().CleanAsync(TimeSpan.Zero, None);

        Assert.Equal(0, await CountAsync("select count(*) from repositories where id = $1", deletion!.Id));
        Assert.Equal(0, await CountAsync("select count(*) from publications where repository_id = $1", deletion.Id));
        Assert.False(await StoredAsync($"one {served.Marker}\n"));
        Assert.False(await StoredAsync($"uploaded {served.Marker}\n"));
        var recreated = await app.Catalog.AttachRepositoryAsync("default", served.Name, "file", None);
        Assert.Null(recreated.Restored);
        Assert.Equal([0L], await VersionContent.NumbersAsync(app, recreated.Id));
    }

    [Fact]
    public async Task No_grace_deletes_the_repository_at_once_and_a_recreated_one_starts_empty()
    {
        var served = await ServedWithUploadAsync();
        using var upstream = served.Upstream;

        var deletion = await app.Catalog.DetachRepositoryAsync("default", served.Name, TimeSpan.Zero, None);

        Assert.Null(deletion!.KeepUntil);
        Assert.Equal(0, await CountAsync("select count(*) from repositories where id = $1", served.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"/{served.BasePath}/one.txt")).Status);
        await app.Get<OrphanCleaner>().CleanAsync(TimeSpan.Zero, None);
        Assert.False(await StoredAsync($"uploaded {served.Marker}\n"));
        var recreated = await app.Catalog.AttachRepositoryAsync("default", served.Name, "file", None);
        Assert.Null(recreated.Restored);
        Assert.Equal([0L], await VersionContent.NumbersAsync(app, recreated.Id));
    }

    private sealed record Served(FileUpstream Upstream, long Id, string Name, string BasePath, string Marker);
}
