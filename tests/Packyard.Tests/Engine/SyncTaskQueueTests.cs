using System.Diagnostics;
using Npgsql;
using Packyard.Api.Resources;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

/// <summary>The sync task queue against real PostgreSQL: dedup, SKIP LOCKED claims, reclaiming, heartbeats, results and NOTIFY.</summary>
public sealed class SyncTaskQueueTests(EngineFixture engine) : IClassFixture<EngineFixture>, IAsyncLifetime
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    private SyncTaskQueue Queue => engine.Get<SyncTaskQueue>();

    private TaskQueue Tasks => engine.Get<TaskQueue>();

    public async Task InitializeAsync()
    {
        // Claims take any repository's task: each test starts from an empty queue.
        await using var clear = engine.DataSource.CreateCommand("delete from tasks");
        await clear.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Enqueueing_a_sync_twice_keeps_one_queued_task_with_the_newest_args()
    {
        var repository = await RepositoryAsync("dedup");

        var first = await Queue.EnqueueAsync(repository, Args("dedup", requested: "one"), CancellationToken.None);
        var second = await Queue.EnqueueAsync(repository, Args("dedup", requested: "two"), CancellationToken.None);

        Assert.Equal(first.Id, second.Id);
        var open = Assert.Single(await Queue.FindOpenAsync(repository, CancellationToken.None));
        Assert.Equal((first.Id, false, "two"), (open.Id, open.Running, open.Args.Requested));
        Assert.Equal($"sync queued (task {first.Id}), waiting for a worker", open.Describe());
    }

    [Fact]
    public async Task Of_two_concurrent_claims_one_gets_the_task_and_a_repository_never_runs_two_tasks_at_once()
    {
        var busy = await RepositoryAsync("busy");
        var other = await RepositoryAsync("other");
        var queued = await Queue.EnqueueAsync(busy, Args("busy"), CancellationToken.None);

        var claims = await Task.WhenAll(Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None), Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None));
        await using var running = Assert.Single(claims, c => c is not null)!;
        Assert.Equal((queued.Id, busy, 1, (string?)null), (running.Id, running.RepositoryId, running.Attempts, running.PreviousWorker));

        // A new request while it runs is queued, but nobody may claim it until the running task ends; other repositories go on.
        var next = await Queue.EnqueueAsync(busy, Args("busy", requested: "again"), CancellationToken.None);
        Assert.NotEqual(queued.Id, next.Id);
        Assert.Null(await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None));
        var elsewhere = await Queue.EnqueueAsync(other, Args("other"), CancellationToken.None);
        await using (var claimed = await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None))
        {
            Assert.Equal(elsewhere.Id, claimed?.Id);
            await claimed!.CompleteAsync(TaskResult.Of(Success()));
        }

        var open = await Queue.FindOpenAsync(busy, CancellationToken.None);
        Assert.Equal([(queued.Id, true), (next.Id, false)], open.Select(t => (t.Id, t.Running)));
        Assert.Matches(@"^sync running on worker worker-(a|b) since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(task \d+\)$", open[0].Describe());

        await running.CompleteAsync(TaskResult.Of(Success()));
        await running.DisposeAsync();
        await using var after = await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None);
        Assert.Equal(next.Id, after?.Id);
    }

    [Fact]
    public async Task A_task_whose_worker_died_is_reclaimed_by_the_next_claim_with_its_attempt_counted()
    {
        var repository = await RepositoryAsync("died");
        var queued = await Queue.EnqueueAsync(repository, Args("died"), CancellationToken.None);
        var orphaned = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None);
        Assert.NotNull(orphaned);
        Assert.Null(await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None));

        // The worker's process dies: its session ends, and the repository's advisory lock with it. Its heartbeat is fresh.
        await TerminateLockHolderAsync(repository);

        await using var reclaimed = await ClaimWithinAsync("worker-b", TimeSpan.FromSeconds(10));
        Assert.Equal((queued.Id, 2, "worker-a"), (reclaimed.Id, reclaimed.Attempts, reclaimed.PreviousWorker));
        Assert.Equal("worker-b", Assert.Single(await Queue.FindOpenAsync(repository, CancellationToken.None)).Worker);

        // The dead worker can no longer write anything on the task.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => orphaned!.HeartbeatAsync(CancellationToken.None));
        await orphaned!.DisposeAsync();
    }

    [Fact]
    public async Task A_hung_worker_whose_heartbeat_is_stale_loses_its_task_to_another_worker()
    {
        var repository = await RepositoryAsync("hung");
        var queued = await Queue.EnqueueAsync(repository, Args("hung"), CancellationToken.None);
        await using var hung = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None);
        Assert.True(await hung!.HeartbeatAsync(CancellationToken.None));

        // Its session stays open (it holds the lock) but it stopped heartbeating a while ago.
        await using (var age = engine.DataSource.CreateCommand("update tasks set heartbeat = now() - interval '5 minutes' where id = $1"))
        {
            age.Parameters.Add(new NpgsqlParameter { Value = queued.Id });
            await age.ExecuteNonQueryAsync();
        }

        await using var taken = await ClaimWithinAsync("worker-b", TimeSpan.FromSeconds(10));
        Assert.Equal((queued.Id, 2, "worker-a"), (taken.Id, taken.Attempts, taken.PreviousWorker));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => hung.HeartbeatAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Claiming_and_completing_a_task_notify_the_controller_and_the_outcome_is_taken_exactly_once()
    {
        var repository = await RepositoryAsync("done");
        await Queue.EnqueueAsync(repository, Args("done", requested: "please"), CancellationToken.None);
        await using var listener = await engine.DataSource.OpenConnectionAsync();
        var payloads = new List<string>();
        listener.Notification += (_, e) => payloads.Add(e.Payload);
        await using (var listen = new NpgsqlCommand($"listen {TaskQueue.ChangedChannel}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        Assert.Null(await Queue.TakeFinishedAsync(repository, CancellationToken.None));
        await using (var task = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None))
        {
            await task!.CompleteAsync(TaskResult.Of(Success()));
        }

        while (payloads.Count < 2)
        {
            Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(10)), $"{payloads.Count} of 2 NOTIFYs within 10 s");
        }

        Assert.Equal(["Repository/default/done", "Repository/default/done"], payloads);
        var report = await Queue.TakeFinishedAsync(repository, CancellationToken.None);
        Assert.NotNull(report);
        Assert.Equal((true, 7L, 3L, "please"), (report.Succeeded, report.Outcome!.Version, report.Outcome.Added, report.Requested));
        Assert.Null(await Queue.TakeFinishedAsync(repository, CancellationToken.None));
        Assert.Empty(await Queue.FindOpenAsync(repository, CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_task_keeps_its_reason_and_message_for_status()
    {
        var repository = await RepositoryAsync("failed");
        await Queue.EnqueueAsync(repository, Args("failed"), CancellationToken.None);
        await using (var task = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None))
        {
            await task!.CompleteAsync(TaskResult.Of(SyncReport.Failure(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "DigestMismatch", "file1.txt: sha256 differs")));
        }

        var report = await Queue.TakeFinishedAsync(repository, CancellationToken.None);
        Assert.Equal((false, "DigestMismatch", "file1.txt: sha256 differs"), (report!.Succeeded, report.Reason, report.Message));
    }

    [Fact]
    public async Task A_released_task_is_queued_again_unless_a_newer_request_is_already_queued()
    {
        var repository = await RepositoryAsync("released");
        var queued = await Queue.EnqueueAsync(repository, Args("released"), CancellationToken.None);
        await using (var stopping = await Tasks.ClaimAsync("worker-a", StaleAfter, CancellationToken.None))
        {
            await stopping!.ReleaseAsync();
        }

        var open = Assert.Single(await Queue.FindOpenAsync(repository, CancellationToken.None));
        Assert.Equal((queued.Id, false, (string?)null), (open.Id, open.Running, open.Worker));

        await using (var again = await Tasks.ClaimAsync("worker-b", StaleAfter, CancellationToken.None))
        {
            Assert.Equal((queued.Id, 2), (again!.Id, again.Attempts));
            var newer = await Queue.EnqueueAsync(repository, Args("released", requested: "newer"), CancellationToken.None);
            await again.ReleaseAsync();
            Assert.Equal([newer.Id], (await Queue.FindOpenAsync(repository, CancellationToken.None)).Select(t => t.Id));
        }

        Assert.Null(await Queue.TakeFinishedAsync(repository, CancellationToken.None));
    }

    private async Task<long> RepositoryAsync(string name) =>
        await engine.Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);

    private static SyncTaskArgs Args(string repository, string? requested = null) =>
        new($"default/{repository}", 1, SyncMode.Additive, "fingerprint", requested);

    private static SyncReport Success() =>
        SyncReport.Success(DateTimeOffset.UtcNow.AddSeconds(-1), DateTimeOffset.UtcNow, new SyncOutcome(7, true, 3, 0, 3, 3, 3));

    private async Task<ClaimedTask> ClaimWithinAsync(string worker, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await Tasks.ClaimAsync(worker, StaleAfter, CancellationToken.None) is { } task)
            {
                return task;
            }

            Assert.True(clock.Elapsed < timeout, $"{worker} claimed nothing within {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    private async Task TerminateLockHolderAsync(long repository)
    {
        await using var kill = engine.DataSource.CreateCommand(
            "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = $1::oid and objsubid = 2 and granted");
        kill.Parameters.Add(new NpgsqlParameter { Value = repository });
        await kill.ExecuteNonQueryAsync();
    }
}
