using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Tasks;

namespace Packyard.Operator;

/// <summary>
/// The controller's side of the task queue: LISTENs for finished tasks and reconciles their Repository at once, so status
/// follows a worker's sync without waiting for the poll fallback (the sync step's Wait requeue).
/// </summary>
public sealed class TaskFinishedListener(NpgsqlDataSource dataSource, OperatorController controller, ILogger<TaskFinishedListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PostgresListener.RunAsync(dataSource, SyncTaskQueue.FinishedChannel, OnFinished, () => { }, logger, stoppingToken);

    private void OnFinished(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            controller.Requeue("Repository", repository[..slash], repository[(slash + 1)..]);
        }
    }
}
