using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Secrets;
using Packyard.Api.Conditions;
using Packyard.Engine.Catalog;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Operator;

/// <summary>
/// The worker role: claims sync tasks from PostgreSQL (<see cref="SyncTaskQueue"/>), runs them with the engine, heartbeats
/// while they run, and stores each outcome (which notifies the controller). It needs no Kubernetes access: the task's args
/// and the remotes table hold everything a sync needs. Several workers run at once. On shutdown (SIGTERM) it stops
/// claiming, cancels the running syncs (an interrupted sync leaves no version) and releases their tasks for another worker.
/// A task this worker loses (heartbeat refused: taken over, or its repository deleted) is cancelled and abandoned.
/// </summary>
public sealed class TaskWorker(
    SyncTaskQueue queue,
    SyncExecutor executor,
    EngineCatalog catalog,
    NpgsqlDataSource dataSource,
    TaskWorkerOptions options,
    OperatorMetrics metrics,
    TimeProvider time,
    ILogger<TaskWorker> logger) : BackgroundService
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, CancellationTokenSource> running = new();
    private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = PostgresListener.RunAsync(dataSource, SyncTaskQueue.QueuedChannel, _ => Wake(), Wake, logger, stoppingToken);
        var cancels = PostgresListener.RunAsync(dataSource, SyncTaskQueue.CancelChannel, OnCancel, () => { }, logger, stoppingToken);
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(() => ClaimLoopAsync(stoppingToken), CancellationToken.None)));
        await Task.WhenAll(listener, cancels);
    }

    /// <summary>The controller cancelled a task (its Repository was deleted or its Remote changed): stop it now if it runs here.</summary>
    private void OnCancel(string payload)
    {
        if (long.TryParse(payload, System.Globalization.CultureInfo.InvariantCulture, out var id) && running.TryGetValue(id, out var run))
        {
            try
            {
                run.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It ended meanwhile.
            }
        }
    }

    private void Wake() => Interlocked.Exchange(ref wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var signal = Volatile.Read(ref wake).Task;
            ClaimedSyncTask? task;
            try
            {
                task = await queue.ClaimAsync(options.Identity, options.StaleAfter, stoppingToken, options.MaxAttempts);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever claiming throws, the loop goes on (after the poll interval): no input ends a worker.
                OperatorLog.TaskQueueFailed(logger, e);
                task = null;
            }

            if (task is not null)
            {
                try
                {
                    await RunAsync(task, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    OperatorLog.TaskQueueFailed(logger, e);
                }

                continue;
            }

            try
            {
                await signal.WaitAsync(options.PollInterval, time, stoppingToken);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RunAsync(ClaimedSyncTask task, CancellationToken stoppingToken)
    {
        await using var claimed = task;
        var args = task.Args;
        if (task.PreviousWorker is { } previous)
        {
            OperatorLog.TaskReclaimed(logger, options.Identity, task.Id, args.Repository, task.Attempts, previous);
        }
        else
        {
            OperatorLog.TaskClaimed(logger, options.Identity, task.Id, args.Repository);
        }

        var clock = Stopwatch.StartNew();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        running[task.Id] = run;
        using var stopHeartbeat = new CancellationTokenSource();
        var lost = false;
        var heartbeat = HeartbeatAsync(task, () => { lost = true; run.Cancel(); }, stopHeartbeat.Token);
        SyncReport? report = null;
        try
        {
            var remote = await catalog.GetRemoteAsync(args.RemoteId, run.Token);
            var started = time.GetUtcNow();
            report = remote is null
                ? SyncReport.Failure(started, started, Reasons.ReferenceNotFound, $"the Remote of {args.Repository} (id {args.RemoteId}) no longer exists")
                : await executor.RunAsync(new SyncRequest(task.RepositoryId, args.Repository, args.RemoteId, remote, args.Mode), args.Fingerprint,
                    new DownloadMeter(metrics), run.Token);
        }
        catch (SecretKeyException e)
        {
            // The Remote's credentials were stored with another key: fail the task with the reason, never the worker.
            var now = time.GetUtcNow();
            report = SyncReport.Failure(now, now, e.Reason, e.Message);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
        }
        catch (NpgsqlException e) when (run.IsCancellationRequested)
        {
            // Cancelling a sync mid-command can surface as a database error.
            OperatorLog.TaskQueueFailed(logger, e);
        }
        catch (Exception e) when (!run.IsCancellationRequested)
        {
            // Reading the Remote or starting the sync threw: the task fails with the cause (its attempt counted), the worker goes on.
            var now = time.GetUtcNow();
            report = SyncReport.Failure(now, now, Reasons.UnexpectedError, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            running.TryRemove(task.Id, out _);
            await stopHeartbeat.CancelAsync();
            await heartbeat;
        }

        if (report is null && !lost && !stoppingToken.IsCancellationRequested)
        {
            // Cancelled by the controller (the Repository was deleted or its Remote changed): the row already says so.
            OperatorLog.TaskLost(logger, task.Id, args.Repository);
            return;
        }

        try
        {
            if (lost)
            {
                OperatorLog.TaskLost(logger, task.Id, args.Repository);
            }
            else if (report is not null)
            {
                // The sync ran to its end: record it even when shutdown began meanwhile.
                await task.CompleteAsync(report);
                OperatorLog.TaskFinished(logger, task.Id, args.Repository, report.Succeeded ? "succeeded" : "failed", clock.ElapsedMilliseconds);
            }
            else
            {
                await task.ReleaseAsync();
                OperatorLog.TaskReleased(logger, options.Identity, task.Id, args.Repository);
            }
        }
        catch (Exception e)
        {
            // The task's connection broke: its lock is gone, so another worker reclaims the task.
            OperatorLog.TaskQueueFailed(logger, e);
        }
    }

    /// <summary>Refreshes the task's heartbeat until stopped; calls <paramref name="onLost"/> when the task is no longer ours.</summary>
    private async Task HeartbeatAsync(ClaimedSyncTask task, Action onLost, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Heartbeat, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // Not cancellable mid-command: cancelling a statement could break the connection that holds the task's lock.
                if (!await task.HeartbeatAsync(CancellationToken.None))
                {
                    onLost();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (NpgsqlException e)
        {
            // The lock's connection broke: the lock is gone and another worker may take the task; stop this run.
            OperatorLog.TaskQueueFailed(logger, e);
            onLost();
        }
    }
}
