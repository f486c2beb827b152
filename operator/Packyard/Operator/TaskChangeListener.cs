using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Tasks;

namespace Packyard.Operator;

/// <summary>
/// The controller's side of the task queue: LISTENs for tasks claimed, finished or released by workers and reconciles their
/// Repository at once, so status follows a worker's sync (running, then done) without waiting for the poll fallback (the
/// sync step's Wait requeue).
/// </summary>
public sealed class TaskChangeListener(NpgsqlDataSource dataSource, OperatorController controller, ILogger<TaskChangeListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresListener.RunAsync(dataSource, SyncTaskQueue.ChangedChannel, OnChanged, () => { }, logger, stoppingToken);

    private void OnChanged(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            controller.Requeue(Runtime.KindNames.Repository, repository[..slash], repository[(slash + 1)..]);
        }
    }
}
