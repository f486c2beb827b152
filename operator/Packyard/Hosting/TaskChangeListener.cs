using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Controllers;
using Packyard.Engine.Tasks;
using Packyard.Operator;

namespace Packyard.Hosting;

/// <summary>
/// The controller's side of the task queue, in both modes: LISTENs for tasks claimed, finished or released by workers and
/// reconciles the resource each names (tasks.notify: "Kind/namespace/name"; a bare "namespace/name" is a Repository, as
/// syncs queued before tasks named their resource), so status follows a worker's task (running, then done) without waiting
/// for the poll fallback (the step's Wait requeue).
/// </summary>
public sealed class TaskChangeListener(NpgsqlDataSource dataSource, IReconcileTrigger trigger, ILogger<TaskChangeListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresListener.RunAsync(dataSource, TaskQueue.ChangedChannel, OnChanged, () => { }, logger, stoppingToken);

    private void OnChanged(string payload)
    {
        var parts = payload.Split('/');
        if (parts.Length == 3 && parts.All(p => p.Length > 0))
        {
            trigger.Enqueue(parts[0], parts[1], parts[2]);
        }
        else if (parts.Length == 2 && parts.All(p => p.Length > 0))
        {
            trigger.Enqueue(Runtime.KindNames.Repository, parts[0], parts[1]);
        }
    }
}
