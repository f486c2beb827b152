using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Packyard.Engine.Sync;

namespace Packyard.Engine.Tasks;

/// <summary>
/// Records a running task's progress in tasks.progress, throttled to one write per <see cref="TaskProgressOptions.Interval"/>
/// (none before the first interval has passed, so short tasks write nothing), and notifies the task's resource
/// (<see cref="TaskQueue.ChangedChannel"/>) so the controller, in this process or another, copies it to status.
/// </summary>
public sealed class TaskProgressStore(NpgsqlDataSource dataSource, TaskProgressOptions options, TimeProvider time)
{
    private TimeSpan Interval => options.Interval;

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>A progress target for the task; reports are cheap (the newest is kept, a write starts when one is due).</summary>
    public Tracker Track(ClaimedTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new Tracker(this, task.Id, time.GetUtcNow());
    }

    private async Task WriteAsync(long taskId, TaskProgress progress)
    {
        await using var command = dataSource.CreateCommand($"""
            with updated as (update tasks set progress = $2 where id = $1 and state = 'running' returning notify)
            select pg_notify('{TaskQueue.ChangedChannel}', notify) from updated where notify is not null
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = taskId });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(progress, TaskJsonContext.Default.TaskProgress), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>One task's throttled progress writer.</summary>
    public sealed class Tracker : IProgress<SyncProgress>
    {
        private readonly TaskProgressStore store;
        private readonly long taskId;
        private readonly object gate = new();
        private DateTimeOffset lastWrite;
        private TaskProgress? latest;
        private bool writing;

        internal Tracker(TaskProgressStore store, long taskId, DateTimeOffset started)
        {
            this.store = store;
            this.taskId = taskId;
            lastWrite = started;
        }

        public void Report(SyncProgress value) => Report(TaskProgress.From(value, store.Now));

        /// <summary>Keeps <paramref name="progress"/> as the newest and writes it when the interval since the last write has passed.</summary>
        public void Report(TaskProgress progress)
        {
            ArgumentNullException.ThrowIfNull(progress);
            lock (gate)
            {
                latest = progress;
                var now = store.Now;
                if (writing || now - lastWrite < store.Interval)
                {
                    return;
                }

                writing = true;
                lastWrite = now;
            }

            _ = Task.Run(WriteLatestAsync);
        }

        private async Task WriteLatestAsync()
        {
            TaskProgress progress;
            lock (gate)
            {
                progress = latest!;
            }

            try
            {
                await store.WriteAsync(taskId, progress).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Progress is advisory: a failed write is skipped, the next report tries again.
            }
            finally
            {
                lock (gate)
                {
                    writing = false;
                }
            }
        }
    }
}
