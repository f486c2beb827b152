using Npgsql;
using Packyard.Api.Resources;
using Packyard.Engine.Secrets;
using Packyard.Engine.Tasks;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Tasks;

/// <summary>
/// A sync task that carries publish args publishes the version it creates in the same claim, under the same repository lock,
/// and says so in its result; one that creates no version publishes nothing; a publish that fails inside it leaves the sync
/// succeeded and reports the publish's cause. Real PostgreSQL, a filesystem store, the file content type.
/// </summary>
public sealed class SyncTaskPublishTests(EngineFixture engine) : IClassFixture<EngineFixture>, IAsyncLifetime
{
    private TaskQueue Tasks => engine.Get<TaskQueue>();

    private SyncTaskQueue Syncs => engine.Get<SyncTaskQueue>();

    private ITaskHandler SyncHandler => engine.Get<IEnumerable<ITaskHandler>>().Single(h => h.Kind == TaskKinds.Sync);

    public async Task InitializeAsync()
    {
        await using var clear = engine.DataSource.CreateCommand("delete from tasks");
        await clear.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_sync_task_with_publish_args_publishes_the_version_it_created_in_the_same_task_and_an_unchanged_resync_publishes_nothing()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha\n").Put("b.txt", "beta\n").WriteManifest();
        var (repository, remote) = await RepositoryAsync("in-one-task", upstream);
        var cipher = engine.Get<SecretCipher>();
        var publish = new PublishTaskArgs("default/in-one-task", "file", 0, cipher.Seal(Convert.ToBase64String("a signing key"u8)), null);

        var report = await RunSyncAsync(repository, new SyncTaskArgs("default/in-one-task", remote, SyncMode.Mirror, "fingerprint", null) { Publish = publish });

        Assert.True(report.Succeeded);
        Assert.Equal((1L, true), (report.Outcome!.Version, report.Outcome.Created));
        Assert.Equal(new PublishReport(true, 1, null, null), report.Publication);
        Assert.Equal([1L], await PublishedVersionsAsync(repository));
        Assert.Equal(1L, await ScalarAsync(
            $"select count(*) from published_files pf join publications p on p.id = pf.publication_id where p.repository_id = {repository} and pf.relative_path = 'PULP_MANIFEST'"));
        Assert.Equal(0L, await ScalarAsync("select count(*) from tasks where kind = 'publish'"));

        // Nothing changed upstream: no version, so nothing is published and the result says so.
        var again = await RunSyncAsync(repository, new SyncTaskArgs("default/in-one-task", remote, SyncMode.Mirror, "fingerprint", "again") { Publish = publish });
        Assert.Equal((1L, false), (again.Outcome!.Version, again.Outcome.Created));
        Assert.Null(again.Publication);

        // Without publish args (publishing disabled), a new version stays unpublished.
        upstream.Put("c.txt", "gamma\n").WriteManifest();
        var unpublished = await RunSyncAsync(repository, new SyncTaskArgs("default/in-one-task", remote, SyncMode.Mirror, "fingerprint", "third"));
        Assert.Equal((2L, true), (unpublished.Outcome!.Version, unpublished.Outcome.Created));
        Assert.Null(unpublished.Publication);
        Assert.Equal([1L], await PublishedVersionsAsync(repository));
    }

    [Fact]
    public async Task A_publish_that_fails_inside_the_sync_task_leaves_the_sync_succeeded_with_its_version_and_reports_the_publish_cause()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha\n").WriteManifest();
        var (repository, remote) = await RepositoryAsync("publish-fails-in-sync", upstream);
        // Sealed with another process's key: this worker cannot open it.
        var foreign = new SecretCipher(System.Security.Cryptography.SHA256.HashData("another installation"u8));
        var publish = new PublishTaskArgs("default/publish-fails-in-sync", "file", 0, foreign.Seal(Convert.ToBase64String("a signing key"u8)), null);

        var report = await RunSyncAsync(repository, new SyncTaskArgs("default/publish-fails-in-sync", remote, SyncMode.Mirror, "fingerprint", null) { Publish = publish });

        Assert.True(report.Succeeded);
        Assert.Equal((1L, true), (report.Outcome!.Version, report.Outcome.Created));
        Assert.NotNull(report.Publication);
        Assert.False(report.Publication.Succeeded);
        Assert.Equal((1L, "SecretKeyMismatch"), (report.Publication.Version, report.Publication.Reason));
        Assert.Empty(await PublishedVersionsAsync(repository));
        Assert.Equal(1L, await ScalarAsync($"select latest_version from repositories where id = {repository}"));
    }

    private async Task<(long Repository, long Remote)> RepositoryAsync(string name, FileUpstream upstream)
    {
        var repository = await engine.Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);
        var (_, remote) = await engine.RemoteAsync($"remote-{name}", upstream.FileUrl);
        return (repository, remote);
    }

    /// <summary>Queues the sync, claims it as a worker does, runs the sync handler and completes the task; returns what the controller reads.</summary>
    private async Task<SyncReport> RunSyncAsync(long repository, SyncTaskArgs args)
    {
        await Syncs.EnqueueAsync(repository, args, CancellationToken.None);
        await using (var task = await Tasks.ClaimAsync("worker-a", TimeSpan.FromSeconds(30), CancellationToken.None))
        {
            Assert.Equal((TaskKinds.Sync, (long?)repository), (task!.Kind, task.RepositoryId));
            await task.CompleteAsync(await SyncHandler.RunAsync(task, CancellationToken.None));
        }

        // One task did it all: no other task was queued meanwhile.
        Assert.Equal(0L, await ScalarAsync("select count(*) from tasks where state in ('queued', 'running')"));
        return (await Syncs.TakeFinishedAsync(repository, CancellationToken.None))!;
    }

    private async Task<List<long>> PublishedVersionsAsync(long repository)
    {
        await using var command = engine.DataSource.CreateCommand("select version from publications where repository_id = $1 order by version");
        command.Parameters.Add(new NpgsqlParameter { Value = repository });
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<long>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = engine.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
