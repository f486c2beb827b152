using Packyard.Api.Conditions;
using Packyard.Engine.Catalog;
using Packyard.Engine.Sync;

namespace Packyard.Engine.Tasks;

/// <summary>Runs a sync task: reads the Remote's stored settings (credentials included) and syncs with <see cref="SyncExecutor"/>.</summary>
public sealed class SyncTaskHandler(SyncExecutor executor, EngineCatalog catalog, TimeProvider time, IEnumerable<ITaskProgressSink> sinks) : ITaskHandler
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

        var progress = sinks.Select(s => s.For(args.Repository)).OfType<IProgress<SyncProgress>>().ToList();
        var report = await executor.RunAsync(new SyncRequest(task.RepositoryId!.Value, args.Repository, args.RemoteId, remote, args.Mode), args.Fingerprint,
            progress.Count switch { 0 => null, 1 => progress[0], _ => new FanOut(progress) }, cancellationToken).ConfigureAwait(false);
        return TaskResult.Of(report);
    }

    private sealed class FanOut(List<IProgress<SyncProgress>> targets) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => targets.ForEach(t => t.Report(value));
    }
}
