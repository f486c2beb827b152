using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Api.Conditions;
using Packyard.Engine.Downloads;
using Packyard.Engine.Tasks;
using Packyard.Operator;

namespace Packyard.Hosting;

/// <summary>
/// The worker role, in both modes: claims tasks of every kind from PostgreSQL (<see cref="TaskQueue"/>) and hands each to the
/// handler of its kind (<see cref="ITaskHandler"/>: sync, publish, promote, reclaim), heartbeats while it runs, and stores each
/// outcome (which notifies the controller). It needs no Kubernetes access: the task's args and the database hold everything.
/// Several workers run at once. On shutdown (SIGTERM) it stops claiming, cancels the running tasks (an interrupted sync leaves
/// no version) and releases them for another worker. A task this worker loses (heartbeat refused: taken over, cancelled, or
/// its repository deleted) is cancelled and abandoned.
/// </summary>
public sealed class TaskWorker(
    TaskQueue queue,
    IEnumerable<ITaskHandler> handlers,
    NpgsqlDataSource dataSource,
    TaskWorkerOptions options,
    TimeProvider time,
    ILogger<TaskWorker> logger) : BackgroundService
{
    private readonly Dictionary<string, ITaskHandler> byKind = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, CancellationTokenSource> running = new();
    private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = PostgresListener.RunAsync(dataSource, TaskQueue.QueuedChannel, _ => Wake(), Wake, logger, stoppingToken);
        var cancels = PostgresListener.RunAsync(dataSource, TaskQueue.CancelChannel, OnCancel, () => { }, logger, stoppingToken);
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
            ClaimedTask? task;
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

    private async Task RunAsync(ClaimedTask task, CancellationToken stoppingToken)
    {
        await using var claimed = task;
        var subject = task.Subject;
        if (task.PreviousWorker is { } previous)
        {
            OperatorLog.TaskReclaimed(logger, options.Identity, task.Id, subject, task.Attempts, previous);
        }
        else
        {
            OperatorLog.TaskClaimed(logger, options.Identity, task.Id, subject);
        }

        var clock = Stopwatch.StartNew();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        running[task.Id] = run;
        using var stopHeartbeat = new CancellationTokenSource();
        var lost = false;
        var heartbeat = HeartbeatAsync(task, () => { lost = true; run.Cancel(); }, stopHeartbeat.Token);
        TaskResult? result = null;
        try
        {
            result = byKind.TryGetValue(task.Kind, out var handler)
                ? await handler.RunAsync(task, run.Token)
                : TaskResult.Failure(Reasons.UnexpectedError, $"this worker runs no task of kind '{task.Kind}'", time.GetUtcNow());
        }
        catch (PackyardException e) when (!run.IsCancellationRequested)
        {
            // Stored credentials or a signing key sealed with another key, and the like: the task fails with the reason, never the worker.
            result = TaskResult.Failure(e.Reason, e.Message, time.GetUtcNow());
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
        }
        catch (NpgsqlException e) when (run.IsCancellationRequested)
        {
            // Cancelling a task mid-command can surface as a database error.
            OperatorLog.TaskQueueFailed(logger, e);
        }
        catch (Exception e) when (!run.IsCancellationRequested)
        {
            // Anything else is a bug or a poison input: the task fails with the cause (its attempt counted), the worker goes on.
            result = TaskResult.Failure(Reasons.UnexpectedError, $"{e.GetType().Name}: {e.Message}", time.GetUtcNow());
        }
        finally
        {
            running.TryRemove(task.Id, out _);
            await stopHeartbeat.CancelAsync();
            await heartbeat;
        }

        if (result is null && !lost && !stoppingToken.IsCancellationRequested)
        {
            // Cancelled by the controller (the Repository was deleted or its Remote changed): the row already says so.
            OperatorLog.TaskLost(logger, task.Id, subject);
            return;
        }

        try
        {
            if (lost)
            {
                OperatorLog.TaskLost(logger, task.Id, subject);
            }
            else if (result is not null)
            {
                // The task ran to its end: record it even when shutdown began meanwhile.
                await task.CompleteAsync(result);
                OperatorLog.TaskFinished(logger, task.Id, subject, result.Succeeded ? "succeeded" : "failed", clock.ElapsedMilliseconds);
            }
            else
            {
                await task.ReleaseAsync();
                OperatorLog.TaskReleased(logger, options.Identity, task.Id, subject);
            }
        }
        catch (Exception e)
        {
            // The task's connection broke: its lock is gone, so another worker reclaims the task.
            OperatorLog.TaskQueueFailed(logger, e);
        }
    }

    /// <summary>Refreshes the task's heartbeat until stopped; calls <paramref name="onLost"/> when the task is no longer ours.</summary>
    private async Task HeartbeatAsync(ClaimedTask task, Action onLost, CancellationToken cancellationToken)
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
