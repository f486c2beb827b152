using Npgsql;
using Packyard.Engine.Tasks;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

public sealed class TaskTrackerTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    [Fact]
    public async Task Only_one_task_runs_per_repository_until_it_completes()
    {
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("tasks", "exclusive", "file", CancellationToken.None);
        var tracker = engine.Get<TaskTracker>();

        await using (var first = await tracker.TryStartAsync("sync", repositoryId, CancellationToken.None))
        {
            Assert.NotNull(first);
            Assert.Null(await tracker.TryStartAsync("sync", repositoryId, CancellationToken.None));
            Assert.Contains("sync by", await tracker.DescribeRunningAsync(repositoryId, CancellationToken.None));
            await first.CompleteAsync(true, null);
        }

        await using var second = await tracker.TryStartAsync("sync", repositoryId, CancellationToken.None);
        Assert.NotNull(second);
    }

    [Fact]
    public async Task A_task_of_a_dead_worker_stops_blocking_at_once_and_is_marked_failed()
    {
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("tasks", "dead-worker", "file", CancellationToken.None);
        var tracker = engine.Get<TaskTracker>();
        var orphaned = await tracker.TryStartAsync("sync", repositoryId, CancellationToken.None);
        Assert.NotNull(orphaned);

        // A dead worker: its connection is gone, the lock with it, and it never completed its row.
        await using (var admin = NpgsqlDataSource.Create(engine.ConnectionString))
        await using (var kill = admin.CreateCommand("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = $1"))
        {
            kill.Parameters.Add(new NpgsqlParameter { Value = (long)repositoryId });
            await kill.ExecuteNonQueryAsync();
        }

        await using var next = await tracker.TryStartAsync("sync", repositoryId, CancellationToken.None);

        Assert.NotNull(next);
        await using var states = engine.DataSource.CreateCommand("select state, error from tasks where id = $1");
        states.Parameters.Add(new NpgsqlParameter { Value = orphaned!.Id });
        await using var reader = await states.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("failed", reader.GetString(0));
        Assert.Contains("stopped before finishing", reader.GetString(1));
    }
}
