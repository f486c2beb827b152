using Npgsql;
using Packyard.Api.Resources;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Tasks;

/// <summary>
/// The task queue for every kind of engine work against real PostgreSQL: one claim path for sync, publish, promote and reclaim;
/// one task per repository at a time (a promotion holds its target); reclaim excluded from every repository task and upload;
/// reclaim scheduled once per interval whatever the number of replicas; the poison give-up for every kind.
/// </summary>
public sealed class TaskQueueTests(EngineFixture engine) : IClassFixture<EngineFixture>, IAsyncLifetime
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    private TaskQueue Tasks => engine.Get<TaskQueue>();

    private SyncTaskQueue Syncs => engine.Get<SyncTaskQueue>();

    public async Task InitializeAsync()
    {
        // Claims take any task: each test starts from an empty queue.
        await using var clear = engine.DataSource.CreateCommand("delete from tasks");
        await clear.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_promote_task_waits_while_a_sync_holds_its_target_repository_and_is_claimed_once_the_sync_ends()
    {
        var source = await RepositoryAsync("promote-source");
        var target = await RepositoryAsync("promote-target");
        await Syncs.EnqueueAsync(target, SyncArgs("promote-target"), CancellationToken.None);
        await using var sync = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None);
        Assert.Equal((TaskKinds.Sync, (long?)target), (sync!.Kind, sync.RepositoryId));

        var promote = await Tasks.EnqueuePromoteAsync(target, PromoteArgs("default/to-target", source), CancellationToken.None);

        // The sync of the target holds its lock: the promotion stays queued, whatever worker asks.
        Assert.Null(await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None));
        var waiting = Assert.Single(await Tasks.FindOpenAsync(TaskKinds.Promote, "default/to-target", CancellationToken.None));
        Assert.Equal((promote.Id, false), (waiting.Id, waiting.Running));
        Assert.Equal($"promote queued (task {promote.Id}), waiting for a worker", waiting.Describe());

        await sync.CompleteAsync(TaskResult.Of(SyncReport.Success(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, new SyncOutcome(1, true, 1, 0, 1, 1, 1))));
        await sync.DisposeAsync();

        await using var claimed = await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None);
        Assert.Equal((promote.Id, TaskKinds.Promote, (long?)target, "Promotion/default/to-target"), (claimed!.Id, claimed.Kind, claimed.RepositoryId, claimed.Notify));
        Assert.Equal((source, "default/promote-target"), (claimed.PromoteArgs.SourceId, claimed.PromoteArgs.Target));
        Assert.Contains("running on worker worker-b", Assert.Single(await Tasks.FindOpenAsync(TaskKinds.Promote, "default/to-target", CancellationToken.None)).Describe(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tasks_of_different_repositories_run_at_once_and_a_second_task_of_one_repository_waits()
    {
        var first = await RepositoryAsync("parallel-one");
        var second = await RepositoryAsync("parallel-two");
        await Syncs.EnqueueAsync(first, SyncArgs("parallel-one"), CancellationToken.None);
        await Tasks.EnqueuePublishAsync(first, PublishArgs("parallel-one", 1), "Repository/default/parallel-one", CancellationToken.None);
        await Tasks.EnqueuePublishAsync(second, PublishArgs("parallel-two", 3), "Repository/default/parallel-two", CancellationToken.None);

        await using var a = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None);
        await using var b = await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None);
        Assert.Null(await Tasks.ClaimAsync("worker-c", StaleAfter, CancellationToken.None));

        Assert.Equal((TaskKinds.Sync, (long?)first), (a!.Kind, a.RepositoryId));
        Assert.Equal((TaskKinds.Publish, (long?)second, 3L), (b!.Kind, b.RepositoryId, b.PublishArgs.Version));
    }

    [Fact]
    public async Task A_reclaim_is_not_claimed_while_a_repository_task_runs_and_no_repository_task_starts_while_a_reclaim_runs()
    {
        var repository = await RepositoryAsync("reclaim-exclusion");
        await Tasks.EnqueuePublishAsync(repository, PublishArgs("reclaim-exclusion", 1), "Repository/default/reclaim-exclusion", CancellationToken.None);
        var publish = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None);
        Assert.Equal(TaskKinds.Publish, publish!.Kind);

        Assert.True(await Tasks.ScheduleReclaimAsync(TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Null(await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None));

        await publish.CompleteAsync(TaskResult.Of(new PublishReport(true, 1, null, null)));
        await publish.DisposeAsync();
        await Syncs.EnqueueAsync(repository, SyncArgs("reclaim-exclusion"), CancellationToken.None);

        // The reclaim was queued first and nothing holds the lock shared any more: it runs, and the sync queued after it waits.
        await using var reclaim = await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None);
        Assert.Equal((TaskKinds.Reclaim, (long?)null, (string?)null), (reclaim!.Kind, reclaim.RepositoryId, reclaim.Notify));
        Assert.Null(await Tasks.ClaimAsync("worker-c", StaleAfter, CancellationToken.None));

        // Its end wakes the workers, and the sync runs.
        await using var listener = await engine.DataSource.OpenConnectionAsync();
        var woken = false;
        listener.Notification += (_, e) => woken |= e.Channel == TaskQueue.QueuedChannel;
        await using (var listen = new NpgsqlCommand($"listen {TaskQueue.QueuedChannel}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await reclaim.CompleteAsync(TaskResult.Of(new ReclaimReport(0, 0, 0)));
        await reclaim.DisposeAsync();
        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(10)) && woken, "the end of the reclaim notifies the workers");
        await using var sync = await Tasks.ClaimAsync("worker-c", StaleAfter, CancellationToken.None);
        Assert.Equal(TaskKinds.Sync, sync!.Kind);
    }

    [Fact]
    public async Task A_reclaim_is_not_claimed_while_an_upload_records_its_content()
    {
        // The lock UploadService holds while it parses and records an upload.
        await using var upload = await engine.DataSource.OpenConnectionAsync();
        await ReclaimLock.AcquireSharedAsync(upload, CancellationToken.None);
        Assert.True(await Tasks.ScheduleReclaimAsync(TimeSpan.FromHours(1), CancellationToken.None));

        Assert.Null(await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None));

        await ReclaimLock.ReleaseSharedAsync(upload);
        await using var reclaim = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None);
        Assert.Equal(TaskKinds.Reclaim, reclaim!.Kind);
    }

    [Fact]
    public async Task An_upload_waits_while_a_reclaim_runs_and_records_its_content_once_it_ends()
    {
        var repository = await RepositoryAsync("upload-during-reclaim");
        await engine.Catalog.SetUploadsEnabledAsync(repository, true, CancellationToken.None);
        Assert.True(await Tasks.ScheduleReclaimAsync(TimeSpan.FromHours(1), CancellationToken.None));
        var reclaim = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None);
        Assert.Equal(TaskKinds.Reclaim, reclaim!.Kind);

        var uploads = engine.Get<Packyard.Engine.Versions.UploadService>();
        using var body = new MemoryStream("uploaded while reclaiming\n"u8.ToArray());
        var uploading = uploads.UploadAsync(repository, "default/upload-during-reclaim", "file", "during.txt",
            new Dictionary<string, string> { ["relativePath"] = "during.txt" }, body, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(uploading.IsCompleted, "the upload waits for the running reclaim");

        await reclaim.CompleteAsync(TaskResult.Of(new ReclaimReport(0, 0, 0)));
        await reclaim.DisposeAsync();
        var outcome = await uploading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((1L, true), (outcome.Version.Version, outcome.Version.Created));
    }

    [Fact]
    public async Task Several_replicas_scheduling_reclaim_at_once_queue_one_and_none_again_within_the_interval()
    {
        var scheduled = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Tasks.ScheduleReclaimAsync(TimeSpan.FromHours(1), CancellationToken.None)));
        Assert.Single(scheduled, s => s);

        await using (var reclaim = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None))
        {
            Assert.False(await Tasks.ScheduleReclaimAsync(TimeSpan.FromHours(1), CancellationToken.None));
            await reclaim!.CompleteAsync(TaskResult.Of(new ReclaimReport(0, 0, 0)));
        }

        // Finished, but within the interval: not again. Once the interval has passed: again.
        Assert.False(await Tasks.ScheduleReclaimAsync(TimeSpan.FromHours(1), CancellationToken.None));
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.True(await Tasks.ScheduleReclaimAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.Equal(2L, await ScalarAsync("select count(*) from tasks where kind = 'reclaim'"));
    }

    [Fact]
    public async Task A_reclaim_that_waited_longer_than_the_interval_runs_despite_back_to_back_syncs_and_repository_tasks_resume_after_it()
    {
        var first = await RepositoryAsync("starve-one");
        var second = await RepositoryAsync("starve-two");
        await Syncs.EnqueueAsync(first, SyncArgs("starve-one"), CancellationToken.None);
        var running = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None);
        Assert.Equal((TaskKinds.Sync, (long?)first), (running!.Kind, running.RepositoryId));
        Assert.True(await Tasks.ScheduleReclaimAsync(TimeSpan.FromHours(1), CancellationToken.None));

        // Back-to-back syncs: each starts before the previous ends, so something always holds the reclaim lock shared. Within
        // the interval the reclaim waits and the syncs go on.
        for (var round = 0; round < 3; round++)
        {
            var (next, name) = round % 2 == 0 ? (second, "starve-two") : (first, "starve-one");
            await Syncs.EnqueueAsync(next, SyncArgs(name), CancellationToken.None);
            var claimed = await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None);
            Assert.Equal((TaskKinds.Sync, (long?)next), (claimed!.Kind, claimed.RepositoryId));
            await running.CompleteAsync(TaskResult.Of(SyncReport.Success(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, new SyncOutcome(1, false, 0, 0, 1, 1, 0))));
            await running.DisposeAsync();
            running = claimed;
        }

        Assert.Equal("queued", await TextAsync("select state from tasks where kind = 'reclaim'"));

        // The reclaim has now waited longer than the interval: no new repository task starts, whatever worker asks.
        await AgeReclaimAsync(TimeSpan.FromMinutes(61));
        await Syncs.EnqueueAsync(second, SyncArgs("starve-two"), CancellationToken.None);
        Assert.Null(await Tasks.ClaimAsync("worker-c", StaleAfter, CancellationToken.None));
        Assert.Null(await Tasks.ClaimAsync("worker-d", StaleAfter, CancellationToken.None));

        // Uploads are not held back (they hold the lock shared for one short transaction; a client would time out waiting).
        await using (var upload = await engine.DataSource.OpenConnectionAsync())
        {
            await ReclaimLock.AcquireSharedAsync(upload, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            await ReclaimLock.ReleaseSharedAsync(upload);
        }

        // The running sync finishes normally; then the reclaim runs, alone.
        await running.CompleteAsync(TaskResult.Of(SyncReport.Success(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, new SyncOutcome(1, false, 0, 0, 1, 1, 0))));
        await running.DisposeAsync();
        var reclaim = await Tasks.ClaimAsync("worker-c", StaleAfter, CancellationToken.None);
        Assert.Equal(TaskKinds.Reclaim, reclaim!.Kind);
        Assert.Null(await Tasks.ClaimAsync("worker-d", StaleAfter, CancellationToken.None));
        await reclaim.CompleteAsync(TaskResult.Of(new ReclaimReport(0, 0, 0)));
        await reclaim.DisposeAsync();

        // Repository tasks resume.
        await using var resumed = await Tasks.ClaimAsync("worker-d", StaleAfter, CancellationToken.None);
        Assert.Equal((TaskKinds.Sync, (long?)second), (resumed!.Kind, resumed.RepositoryId));
    }

    [Fact]
    public async Task A_reclaim_is_scheduled_once_per_interval_from_the_last_ones_start_across_scheduler_restarts()
    {
        var options = new ReclaimOptions { Interval = TimeSpan.FromHours(1) };

        // Three process starts in a row (replicas or restarts): the first queues a reclaim, the others find it.
        for (var start = 0; start < 3; start++)
        {
            await RunSchedulerOnceAsync(options);
        }

        Assert.Equal(1L, await ScalarAsync("select count(*) from tasks where kind = 'reclaim'"));

        // It waited 70 minutes behind syncs and ran 5 minutes ago: a process starting now queues none (the interval counts
        // from when the last reclaim ran, not from when it was queued).
        await using (var reclaim = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None))
        {
            await reclaim!.CompleteAsync(TaskResult.Of(new ReclaimReport(0, 0, 0)));
        }

        await AgeReclaimAsync(TimeSpan.FromMinutes(70), startedAgo: TimeSpan.FromMinutes(5));
        await RunSchedulerOnceAsync(options);
        Assert.Equal(1L, await ScalarAsync("select count(*) from tasks where kind = 'reclaim'"));

        // Once the interval has passed since it ran, the next start queues one.
        await AgeReclaimAsync(TimeSpan.FromMinutes(130), startedAgo: TimeSpan.FromMinutes(61));
        await RunSchedulerOnceAsync(options);
        Assert.Equal(1L, await ScalarAsync("select count(*) from tasks where kind = 'reclaim' and state = 'queued'"));
    }

    [Fact]
    public async Task A_publish_whose_workers_died_too_often_is_given_up_and_reported_once_with_the_cause()
    {
        var repository = await RepositoryAsync("poison-publish");
        var queued = await Tasks.EnqueuePublishAsync(repository, PublishArgs("poison-publish", 4), "Repository/default/poison-publish", CancellationToken.None);
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            // The worker dies: its connection (and the lock) goes, the row stays running.
            var claimed = await Tasks.ClaimAsync($"worker-{attempt}", StaleAfter, CancellationToken.None, maxAttempts: 2);
            Assert.Equal((queued.Id, attempt), (claimed!.Id, claimed.Attempts));
            await TerminateLockHolderAsync(repository);
            await claimed.DisposeAsync();
        }

        Assert.Null(await Tasks.ClaimAsync("worker-3", StaleAfter, CancellationToken.None, maxAttempts: 2));

        var report = await Tasks.TakeFinishedPublishAsync(repository, 4, CancellationToken.None);
        Assert.NotNull(report);
        Assert.False(report.Succeeded);
        Assert.Equal("UnexpectedError", report.Reason);
        Assert.Contains("the publish was given up after 2 attempts", report.Message, StringComparison.Ordinal);
        Assert.Null(await Tasks.TakeFinishedPublishAsync(repository, 4, CancellationToken.None));
    }

    [Fact]
    public async Task Publish_and_promote_requests_are_deduplicated_per_version_and_per_Promotion()
    {
        var source = await RepositoryAsync("dedup-source");
        var target = await RepositoryAsync("dedup-target");
        var first = await Tasks.EnqueuePublishAsync(target, PublishArgs("dedup-target", 2), "Repository/default/dedup-target", CancellationToken.None);
        var again = await Tasks.EnqueuePublishAsync(target, PublishArgs("dedup-target", 2), "Distribution/default/pinned", CancellationToken.None);
        var other = await Tasks.EnqueuePublishAsync(target, PublishArgs("dedup-target", 3), "Repository/default/dedup-target", CancellationToken.None);
        var promoteA = await Tasks.EnqueuePromoteAsync(target, PromoteArgs("default/a", source), CancellationToken.None);
        var promoteB = await Tasks.EnqueuePromoteAsync(target, PromoteArgs("default/b", source), CancellationToken.None);
        var promoteA2 = await Tasks.EnqueuePromoteAsync(target, PromoteArgs("default/a", source) with { SourceVersion = 9 }, CancellationToken.None);

        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(promoteA.Id, promoteA2.Id);
        Assert.NotEqual(promoteA.Id, promoteB.Id);
        Assert.Equal(9L, await ScalarAsync($"select (args->>'sourceVersion')::bigint from tasks where id = {promoteA.Id}"));
    }

    private async Task<long> RepositoryAsync(string name) =>
        await engine.Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);

    private static SyncTaskArgs SyncArgs(string repository) => new($"default/{repository}", 1, SyncMode.Additive, "fingerprint", null);

    private static PublishTaskArgs PublishArgs(string repository, long version) => new($"default/{repository}", "file", version, null, null);

    private static PromoteTaskArgs PromoteArgs(string promotion, long sourceId) =>
        new(promotion, "default/promote-source", "default/promote-target", sourceId, null, "file", null, PromotionMode.Merge, "fingerprint");

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = engine.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Backdates the reclaim task as if it was queued <paramref name="queuedAgo"/> (and started <paramref name="startedAgo"/>, if it did).</summary>
    private async Task AgeReclaimAsync(TimeSpan queuedAgo, TimeSpan? startedAgo = null)
    {
        await using var age = engine.DataSource.CreateCommand(
            "update tasks set created = now() - $1, started = case when started is null then null else now() - $2 end where kind = 'reclaim'");
        age.Parameters.Add(new NpgsqlParameter { Value = queuedAgo });
        age.Parameters.Add(new NpgsqlParameter { Value = startedAgo ?? queuedAgo });
        await age.ExecuteNonQueryAsync();
    }

    /// <summary>What a process's reclaim scheduler does first when it starts (a new instance: it keeps nothing in memory).</summary>
    private async Task RunSchedulerOnceAsync(ReclaimOptions options)
    {
        using var scheduler = new Packyard.Hosting.ReclaimScheduler(Tasks, options, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Packyard.Hosting.ReclaimScheduler>.Instance);
        await scheduler.CheckAsync(CancellationToken.None);
    }

    private async Task<string> TextAsync(string sql)
    {
        await using var command = engine.DataSource.CreateCommand(sql);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task TerminateLockHolderAsync(long repository)
    {
        await using var kill = engine.DataSource.CreateCommand(
            "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = $1::oid and objsubid = 2 and granted");
        kill.Parameters.Add(new NpgsqlParameter { Value = repository });
        await kill.ExecuteNonQueryAsync();
    }
}
