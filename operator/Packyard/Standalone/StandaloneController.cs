using Microsoft.Extensions.Hosting;
using Packyard.Api.Resources;
using Packyard.ControllerRuntime;
using Packyard.Controllers;
using Packyard.Manifests;
using Packyard.Operator;
using Packyard.Server;

namespace Packyard.Standalone;

/// <summary>
/// Standalone mode's controller: loads the manifests folder, reloads it when a file changes, and reconciles each
/// resource through the same reconcilers as operator mode, with a work queue, requeues, retries with backoff,
/// and reconciles of dependents (a Repository after its Remote, Distributions after their Repository).
/// </summary>
public sealed class StandaloneController(
    StandaloneOptions options,
    ResourceSet resources,
    ReconcileServices services,
    ConsoleReporter reporter,
    DistributionCache distributionCache,
    Engine.Versions.OrphanCleaner orphans,
    RepositoryFinalizer repositoryFinalizer) : BackgroundService, IReconcileTrigger, IRepositoryChangeNotifier
{
    private static readonly TimeSpan OrphanCleanupInterval = TimeSpan.FromHours(1);
    private readonly WorkQueue<ResourceKey> queue = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
    private readonly ManifestFolder folder = new(options.ManifestsDirectory);
    private readonly SemaphoreSlim reloading = new(1, 1);
    private string filesFingerprint = "";
    private long lastWatcherEvent;
    private int settled;

    public int QueueDepth => queue.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var remote = new RemoteReconciler(services, resources);
        var repository = new RepositoryReconciler(services, resources);
        var distribution = new DistributionReconciler(services, resources);
        var promotion = new PromotionReconciler(services, resources, this);

        await ReloadAsync(stoppingToken);
        // The watcher only tells the debounce loop that the folder is being written; the loop reads it once it is quiet.
        using var watcher = new FileSystemWatcher(options.ManifestsDirectory) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        FileSystemEventHandler changed = (_, _) => Volatile.Write(ref lastWatcherEvent, Environment.TickCount64);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => Volatile.Write(ref lastWatcherEvent, Environment.TickCount64);

        var work = queue.RunAsync(options.Workers, async (key, token) =>
        {
            var entry = resources.Get(key);
            if (entry is null)
            {
                return;
            }

            StepResult result;
            try
            {
                result = entry.Error is not null
                    ? MarkInvalid(entry)
                    : entry.Resource switch
                    {
                        Remote r => await remote.ReconcileAsync(r, token),
                        Repository r => await repository.ReconcileAsync(r, reporter.SyncProgress(key), token),
                        Distribution d => await distribution.ReconcileAsync(d, token),
                        Promotion p => await promotion.ReconcileAsync(p, token),
                        _ => StepResult.Continue,
                    };
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                // The database or the store is down, or something no step expected: report and retry with backoff; nothing is
                // lost, nothing half-written is visible, and every other resource goes on.
                result = StepResult.Retry("InfrastructureUnavailable", ReconcileSteps.Describe(e));
                reporter.Record(key.Kind, key.Namespace, key.Name, true, result.Reason, result.Message);
            }

            if (entry.Resource is Distribution)
            {
                distributionCache.Invalidate();
            }

            reporter.ReportStatus(entry);
            Schedule(entry, result);
            EnqueueDependents(key);
            if (queue.Count == 0 && Interlocked.Exchange(ref settled, 1) == 0)
            {
                reporter.Table(resources.Entries);
            }
        }, stoppingToken, (key, e) => reporter.Record(key.Kind, key.Namespace, key.Name, true, Api.Conditions.Reasons.ReconcileError, ReconcileSteps.Describe(e)));

        var poll = PollAsync(stoppingToken);
        var reload = ReloadWhenQuietAsync(stoppingToken);
        try
        {
            await Task.WhenAll(work, poll, reload);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public void Enqueue(string kind, string ns, string name) => queue.Add(new ResourceKey(kind, ns, name));

    public void VersionCreated(string ns, string repository) => Enqueue("Repository", ns, repository);

    /// <summary>
    /// Reloads the manifests folder and reconciles what changed. Resources absent from a file that parses, or whose file
    /// was deleted, are cleaned up; a file that does not parse keeps its resources (see <see cref="ManifestFolder"/>),
    /// and a folder that cannot be listed changes nothing.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await reloading.WaitAsync(cancellationToken);
        try
        {
            filesFingerprint = FilesFingerprint();
            IReadOnlyList<ManifestDocument> documents;
            IReadOnlyList<ManifestError> unparsed;
            try
            {
                (documents, unparsed) = folder.Read();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                reporter.Record("Manifest", "-", options.ManifestsDirectory, true, "InvalidManifest", $"cannot read the manifests folder, nothing changed: {e.Message}");
                return;
            }

            var validations = ManifestValidator.ValidateDocuments(documents);
            foreach (var error in unparsed.Concat(validations.SelectMany(v => v.Errors)).Distinct())
            {
                reporter.Record("Manifest", "-", ManifestErrorFormat.DisplayPath(error.File, options.ManifestsDirectory), true, "InvalidManifest", error.ToString());
            }

            var before = resources.Entries.ToDictionary(e => e.Key, e => (e.SpecJson, e.Resource));
            var (changed, removed) = resources.Apply(validations);
            await CancelObsoleteSyncsAsync(before, changed, removed, cancellationToken);
            foreach (var entry in removed)
            {
                await DeleteAsync(entry, cancellationToken);
            }

            Interlocked.Exchange(ref settled, 0);
            foreach (var key in changed.OrderBy(k => ResourceSet.KindOrder(k.Kind)))
            {
                queue.Add(key);
            }
        }
        finally
        {
            reloading.Release();
        }
    }

    /// <summary>
    /// Stops running syncs at once whose work is obsolete: of a removed Repository, of one whose Remote reference or sync mode
    /// changed, and of the Repositories of a Remote whose spec changed. Their reconciles run again with what the manifests say now.
    /// </summary>
    private async Task CancelObsoleteSyncsAsync(
        Dictionary<ResourceKey, (string SpecJson, object? Resource)> before, List<ResourceKey> changed, List<ResourceEntry> removed, CancellationToken cancellationToken)
    {
        var obsolete = new Dictionary<ResourceKey, string>();
        foreach (var entry in removed.Where(e => e.Key.Kind == "Repository"))
        {
            obsolete[entry.Key] = "canceled: the Repository was removed from the manifests";
        }

        foreach (var key in changed)
        {
            var now = resources.Get(key);
            if (!before.TryGetValue(key, out var old) || now is null || old.SpecJson == now.SpecJson)
            {
                continue;
            }

            if (old.Resource is Repository was && now.Resource is Repository repository
                && (was.Spec.RemoteRef?.Name != repository.Spec.RemoteRef?.Name || was.Spec.Sync?.Mode != repository.Spec.Sync?.Mode))
            {
                obsolete[key] = "canceled: the Repository's remoteRef or sync mode changed";
            }
            else if (key.Kind == "Remote")
            {
                foreach (var dependent in resources.Entries.Where(e => e.Key.Namespace == key.Namespace && e.Resource is Repository r && r.Spec.RemoteRef?.Name == key.Name))
                {
                    obsolete[dependent.Key] = $"canceled: Remote {key.Name} changed";
                }
            }
        }

        foreach (var (key, reason) in obsolete)
        {
            await services.Syncs.CancelAsync($"{key.Namespace}/{key.Name}", reason, cancellationToken);
        }
    }

    private async Task DeleteAsync(ResourceEntry entry, CancellationToken cancellationToken)
    {
        var key = entry.Key;
        switch (key.Kind)
        {
            case "Distribution":
                await services.Catalog.DeleteDistributionAsync(key.Namespace, key.Name, cancellationToken);
                distributionCache.Invalidate();
                break;
            case "Repository":
                // Detached and kept for the deletion grace period; the finalizer's Deleted event says until when.
                var detached = await repositoryFinalizer.DeleteAsync(key.Namespace, key.Name, cancellationToken);
                distributionCache.Invalidate();
                if (detached is not null)
                {
                    reporter.Forget(key);
                    EnqueueDependents(key);
                    return;
                }

                break;
            case "Remote":
                await services.Catalog.DeleteRemoteAsync(key.Namespace, key.Name, cancellationToken);
                break;
        }

        reporter.Forget(key);
        reporter.Record(key.Kind, key.Namespace, key.Name, false, "Deleted", "removed from the manifests; cleaned up");
        // Dependents that stay (a Distribution of a deleted Repository) report that their reference is gone.
        EnqueueDependents(key);
    }

    private StepResult MarkInvalid(ResourceEntry entry)
    {
        var result = StepResult.Stalled(Api.Conditions.Reasons.InvalidSpec, entry.Error!);
        switch (entry.Resource)
        {
            case Remote r: ReconcileSummarizer.Summarize(r, result, services.Time.GetUtcNow(), reporter); break;
            case Repository r: ReconcileSummarizer.Summarize(r, result, services.Time.GetUtcNow(), reporter); break;
            case Distribution d: ReconcileSummarizer.Summarize(d, result, services.Time.GetUtcNow(), reporter); break;
            case Promotion p: ReconcileSummarizer.Summarize(p, result, services.Time.GetUtcNow(), reporter); break;
        }

        return result;
    }

    private void Schedule(ResourceEntry entry, StepResult result)
    {
        switch (result.Outcome)
        {
            case StepOutcome.Retry when result.RequeueAfter is { } at:
                // The step knows when to try again (a failed sync's backoff).
                entry.Failures = 0;
                queue.AddAfter(entry.Key, at < options.Interval ? at : options.Interval);
                break;
            case StepOutcome.Retry:
                entry.Failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, Math.Min(entry.Failures, 9))));
                queue.AddAfter(entry.Key, backoff);
                break;
            case StepOutcome.Wait:
                entry.Failures = 0;
                queue.AddAfter(entry.Key, result.RequeueAfter ?? TimeSpan.FromSeconds(10));
                break;
            case StepOutcome.Requeue:
                queue.Add(entry.Key);
                break;
            case StepOutcome.Done when result.RequeueAfter is { } after:
                entry.Failures = 0;
                queue.AddAfter(entry.Key, after < options.Interval ? after : options.Interval);
                break;
            default:
                entry.Failures = 0;
                break;
        }
    }

    private void EnqueueDependents(ResourceKey key)
    {
        foreach (var entry in resources.Entries)
        {
            var dependent = (key.Kind, entry.Resource) switch
            {
                ("Remote", Repository r) => r.Spec.RemoteRef?.Name == key.Name,
                ("Remote", Distribution d) => d.Spec.PullThrough?.RemoteRef.Name == key.Name,
                ("Repository", Distribution d) => d.Spec.RepositoryRef.Name == key.Name,
                ("Repository", Promotion p) => p.Spec.SourceRef.Name == key.Name,
                _ => false,
            };
            if (dependent && entry.Key.Namespace == key.Namespace)
            {
                queue.Add(entry.Key);
            }
        }
    }

    /// <summary>
    /// Reads the folder once it has been quiet (no watcher event, no file changed) for <see cref="StandaloneOptions.ReloadQuietPeriod"/>,
    /// so an editor's save or a <c>git checkout</c> is read once, after its last write; a folder that never stays quiet is
    /// still read every ten quiet periods. Polls, so changes the watcher misses are seen too.
    /// </summary>
    private async Task ReloadWhenQuietAsync(CancellationToken cancellationToken)
    {
        var quiet = options.ReloadQuietPeriod;
        var pending = filesFingerprint;
        var pendingSince = Environment.TickCount64;
        long? firstPending = null;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Clamp(quiet.TotalMilliseconds / 4, 10, 250)));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var now = Environment.TickCount64;
            var current = FilesFingerprint();
            if (current != pending)
            {
                (pending, pendingSince) = (current, now);
            }

            if (current == filesFingerprint)
            {
                firstPending = null;
                continue;
            }

            firstPending ??= now;
            var lastWrite = Math.Max(pendingSince, Volatile.Read(ref lastWatcherEvent));
            if (now - lastWrite >= quiet.TotalMilliseconds || now - firstPending >= 10 * quiet.TotalMilliseconds)
            {
                firstPending = null;
                try
                {
                    await ReloadAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // E.g. the database is down while a removed resource is cleaned up: report, and read again in ten quiet periods.
                    filesFingerprint = "";
                    pendingSince = Environment.TickCount64 + (long)(9 * quiet.TotalMilliseconds);
                    reporter.Record("Manifest", "-", options.ManifestsDirectory, true, "ReloadFailed", e.Message);
                }
            }
        }
    }

    /// <summary>Cleans orphans up, and reconciles everything every interval.</summary>
    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var lastFull = services.Time.GetUtcNow();
        var lastCleanup = lastFull;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            // Orphans older than an hour go when the queue is idle, so no sync is about to re-reference them.
            if (services.Time.GetUtcNow() - lastCleanup >= OrphanCleanupInterval && queue.Count == 0)
            {
                lastCleanup = services.Time.GetUtcNow();
                await orphans.CleanAsync(OrphanCleanupInterval, cancellationToken);
            }

            if (services.Time.GetUtcNow() - lastFull >= options.Interval)
            {
                lastFull = services.Time.GetUtcNow();
                foreach (var entry in resources.Entries)
                {
                    queue.Add(entry.Key);
                }
            }
        }
    }

    private string FilesFingerprint()
    {
        try
        {
            var parts = ManifestLoader.FindFiles(options.ManifestsDirectory)
                .Select(f => new FileInfo(f))
                .Select(f => $"{f.FullName}:{f.Length}:{f.LastWriteTimeUtc.Ticks}");
            return string.Join('\n', parts);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable: " + e.Message;
        }
    }
}
