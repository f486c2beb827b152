using Packyard.Api.Conditions;
using Packyard.Engine.Catalog;
using Packyard.Engine.Sync;

namespace Packyard.Engine.Tasks;

/// <summary>
/// Runs a sync task: reads the Remote's stored settings (credentials included) and syncs with <see cref="SyncExecutor"/>; when the
/// task carries publish args (<see cref="SyncTaskArgs.Publish"/>) and the sync created a version, publishes that version in the
/// same claim with <see cref="VersionPublisher"/>, so a new version is synced and published in one task and one reconcile.
/// Its progress goes to the mode's sinks and, throttled, to tasks.progress (<see cref="TaskProgressStore"/>).
/// </summary>
public sealed class SyncTaskHandler(SyncExecutor executor, VersionPublisher publisher, EngineCatalog catalog, TimeProvider time,
    IEnumerable<ITaskProgressSink> sinks, TaskProgressStore progressStore) : ITaskHandler
{
    public string Kind => TaskKinds.Sync;

    public async Task<TaskResult> RunAsync(ClaimedTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var args = task.SyncArgs;
        var remote = await catalog.GetRemoteAsync(args.RemoteId, cancellationToken).ConfigureAwait(false);
        if (remote is null)
        {
            var now = time.GetUtcNow();
            return TaskResult.Of(SyncReport.Failure(now, now, Reasons.ReferenceNotFound, $"the Remote of {args.Repository} (id {args.RemoteId}) no longer exists"));
        }

        var repositoryId = task.RepositoryId!.Value;
        var tracker = progressStore.Track(task);
        var progress = sinks.Select(s => s.For(args.Repository)).OfType<IProgress<SyncProgress>>().Append(tracker).ToList();
        var report = await executor.RunAsync(new SyncRequest(repositoryId, args.Repository, args.RemoteId, remote, args.Mode), args.Fingerprint,
            progress.Count switch { 0 => null, 1 => progress[0], _ => new FanOut(progress) }, cancellationToken).ConfigureAwait(false);
        if (report is { Succeeded: true, Outcome: { Created: true } outcome } && args.Publish is { } publish)
        {
            tracker.Report(new TaskProgress("Publishing", null, null, 0, time.GetUtcNow()));
            try
            {
                report = report with
                {
                    Publication = await publisher.PublishAsync(repositoryId, publish with { Version = outcome.Version }, cancellationToken).ConfigureAwait(false),
                };
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or Npgsql.NpgsqlException)
            {
                // Stopped or cancelled after the version was created: the sync's outcome is still recorded (when the task is still
                // this worker's), without a publication, and the controller queues a publish task for the version.
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // A bug or a poison input in publishing does not undo the sync: the version stays, the publish reports the cause,
                // and the controller reports PublishFailed and retries it as a publish task.
                report = report with
                {
                    Publication = new PublishReport(false, outcome.Version, Reasons.UnexpectedError, $"publishing version {outcome.Version} failed: {e.GetType().Name}: {e.Message}"),
                };
            }
        }

        return TaskResult.Of(report);
    }

    private sealed class FanOut(List<IProgress<SyncProgress>> targets) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => targets.ForEach(t => t.Report(value));
    }
}
