using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Tasks;
using Packyard.Operator;

namespace Packyard.Hosting;

/// <summary>
/// Queues orphan cleanup as a reclaim task whenever none ran within <c>--orphan-cleanup-interval</c>, in every mode and
/// every replica: the check and the insert are one statement and a queued task is unique, so several replicas queue at most
/// one, and it keeps nothing in memory, so a restart queues none before the interval since the last reclaim has passed
/// (<see cref="TaskQueue.ScheduleReclaimAsync"/>). A worker runs it (<see cref="ReclaimTaskHandler"/>) once no other task holds
/// the reclaim lock, or first, after it has waited an interval (<see cref="TaskQueue.ClaimAsync"/>).
/// </summary>
public sealed class ReclaimScheduler(TaskQueue queue, ReclaimOptions options, TimeProvider time, ILogger<ReclaimScheduler> logger) : BackgroundService
{
    /// <summary>How often the scheduler looks: a quarter of the interval, between 100 ms and a minute.</summary>
    public static TimeSpan CheckPeriod(TimeSpan interval) =>
        TimeSpan.FromTicks(Math.Clamp(interval.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromMinutes(1).Ticks));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckPeriod(options.Interval), time);
        do
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException e)
            {
                // The database is away: the next tick tries again.
                OperatorLog.TaskQueueFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>One look: queues a reclaim when none is open and none ran within the interval; returns whether it queued one.</summary>
    public Task<bool> CheckAsync(CancellationToken cancellationToken) => queue.ScheduleReclaimAsync(options.Interval, cancellationToken);

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
