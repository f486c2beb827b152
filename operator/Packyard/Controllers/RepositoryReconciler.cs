using System.Security.Cryptography;
using System.Text;
using NCrontab;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Sync;
using Packyard.Engine.Tasks;

namespace Packyard.Controllers;

/// <summary>
/// Reconciles a Repository: resolve its Remote, ensure the engine's record, sync when due (created, spec or
/// Remote changed, requested, or scheduled), publish the newest version, prune old versions, report status.
/// </summary>
public sealed class RepositoryReconciler(ReconcileServices services, IResourceLookup lookup)
{
    /// <summary>How many versions status.versions shows.</summary>
    public const int VersionsInStatus = 5;

    /// <summary>Per-reconcile state passed between steps.</summary>
    public sealed class Context(Repository repository, IProgress<SyncProgress>? progress)
    {
        public Repository Repository { get; } = repository;
        public RepositoryStatus Status { get; } = repository.Status ??= new RepositoryStatus();
        public IProgress<SyncProgress>? Progress { get; } = progress;
        public long RepositoryId { get; set; }
        public long RemoteId { get; set; }
        public RemoteSettings? Remote { get; set; }
        public string Summary { get; set; } = "";
        public TimeSpan? RequeueAfter { get; set; }
    }

    public async Task<StepResult> ReconcileAsync(Repository repository, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        var context = new Context(repository, progress);
        ReconcileStep<Context>[] steps = [ResolveRemoteAsync, EnsureRepositoryAsync, SyncAsync, PublishAsync, PruneVersionsAsync, ReportAsync];
        var result = StepResult.Continue;
        foreach (var step in steps)
        {
            result = await step(context, cancellationToken);
            if (result.Outcome is not StepOutcome.Continue)
            {
                break;
            }
        }

        if (result.Outcome == StepOutcome.Continue)
        {
            result = StepResult.Done(Reasons.Succeeded, context.Summary, context.RequeueAfter);
        }

        ReconcileSummarizer.Summarize(repository, result, services.Time.GetUtcNow(), services.Events);
        return result;
    }

    /// <summary>Waits (ReferenceNotFound) for a missing Remote; stalls on a type mismatch or unusable Remote settings.</summary>
    private async Task<StepResult> ResolveRemoteAsync(Context context, CancellationToken cancellationToken)
    {
        var repository = context.Repository;
        if (repository.Spec.RemoteRef is not { } reference)
        {
            return StepResult.Continue;
        }

        var remote = lookup.GetRemote(repository.Namespace, reference.Name);
        if (remote is null)
        {
            return StepResult.Wait(Reasons.ReferenceNotFound, $"spec.remoteRef: Remote {repository.Namespace}/{reference.Name} not found", TimeSpan.FromSeconds(30));
        }

        if (remote.Spec.Type != repository.Spec.Type)
        {
            return StepResult.Stalled(Reasons.TypeMismatch,
                $"spec.remoteRef: Remote {reference.Name} is of type {remote.Spec.Type.ToName()} but this Repository is {repository.Spec.Type.ToName()}");
        }

        try
        {
            context.Remote = RemoteSettingsBuilder.Build(remote, lookup);
        }
        catch (Exception e) when (e is SecretReferenceException or FormatException)
        {
            return StepResult.Stalled(e is SecretReferenceException s ? s.Reason : Reasons.InvalidSpec, $"Remote {reference.Name}: {e.Message}");
        }

        context.RemoteId = await services.Catalog.UpsertRemoteAsync(context.Remote, cancellationToken);
        return StepResult.Continue;
    }

    /// <summary>
    /// Creates the engine's repository record (with version 0), or gets back the one of the same namespace, name and type kept
    /// since its deletion (Normal event Restored), and applies spec.uploads.
    /// </summary>
    private async Task<StepResult> EnsureRepositoryAsync(Context context, CancellationToken cancellationToken)
    {
        var repository = context.Repository;
        try
        {
            var attached = await services.Catalog.AttachRepositoryAsync(repository.Namespace, repository.Name, repository.Spec.Type.ToName(), cancellationToken);
            context.RepositoryId = attached.Id;
            if (attached.Restored is { } restored)
            {
                services.Events.Record(repository.Kind, repository.Namespace, repository.Name, false, Reasons.Restored, RepositoryFinalizer.RestoredMessage(restored));
            }
        }
        catch (InvalidOperationException e)
        {
            return StepResult.Stalled(Reasons.InvalidSpec, e.Message);
        }

        await services.Catalog.SetUploadsEnabledAsync(context.RepositoryId, repository.Spec.Uploads?.Enabled ?? false, cancellationToken);
        return StepResult.Continue;
    }

    /// <summary>
    /// Syncs when due (created, settings changed, requested, scheduled) through <see cref="ISyncDispatcher"/>. A finished sync
    /// fills status.lastSync (SyncSucceeded event on a new version); a failed one returns Retry (SyncFailed). While a queued
    /// sync waits or runs, returns Wait (SyncQueued / SyncRunning) with the task in the message. Invalid schedules stall.
    /// Sets the requeue for the next scheduled sync.
    /// </summary>
    private async Task<StepResult> SyncAsync(Context context, CancellationToken cancellationToken)
    {
        var repository = context.Repository;
        if (context.Remote is null || repository.Spec.Sync?.Suspend == true)
        {
            return StepResult.Continue;
        }

        var sync = repository.Spec.Sync ?? new RepositorySync();
        CrontabSchedule? schedule = null;
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (sync.Schedule is { } cron)
        {
            schedule = CrontabSchedule.TryParse(cron);
            if (schedule is null)
            {
                return StepResult.Stalled(Reasons.InvalidSpec, $"spec.sync.schedule '{cron}' is not a valid 5-field cron expression");
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(sync.TimeZone, out zone!))
            {
                return StepResult.Stalled(Reasons.InvalidSpec, $"spec.sync.timeZone '{sync.TimeZone}' is not a known IANA time zone");
            }
        }

        // Read in this order so that a sync finishing meanwhile is seen as still open or as finished, never as neither (which
        // would queue it again): open syncs, then the recorded sync state, then the finished outcome.
        var syncs = services.Syncs;
        var open = await syncs.FindOpenAsync(context.RepositoryId, cancellationToken);
        var (fingerprint, lastStarted) = await services.Catalog.GetSyncStateAsync(context.RepositoryId, cancellationToken);
        var finished = await syncs.TakeFinishedAsync(context.RepositoryId, cancellationToken);
        if (finished is not null && Report(context, finished) is { } failed)
        {
            return failed;
        }

        var now = services.Time.GetUtcNow();
        var wanted = Fingerprint(context.Remote, sync.Mode);
        var requested = repository.Metadata.Annotations?.GetValueOrDefault(Api.Schema.PackyardGroup.RequestedAtAnnotation);
        var newRequest = requested is not null && requested != context.Status.LastHandledRequest;
        var due = fingerprint != wanted || newRequest
            || (schedule is not null && lastStarted is { } last && NextOccurrence(schedule, zone, last) <= now);

        // A queued or running sync with the wanted settings (and for the new request, if any) covers what is due; any open sync
        // keeps the repository Reconciling.
        var syncedAt = lastStarted;
        var pending = open.LastOrDefault(t => t.Args.Fingerprint == wanted && (!newRequest || t.Args.Requested == requested));
        if (pending is null && due)
        {
            var dispatch = await syncs.DispatchAsync(
                new SyncJob(new SyncRequest(context.RepositoryId, $"{repository.Namespace}/{repository.Name}", context.RemoteId, context.Remote, sync.Mode),
                    wanted, requested),
                context.Progress, cancellationToken);
            if (dispatch.BusyWith is { } holder)
            {
                return StepResult.Wait(Reasons.SyncInProgress, $"another worker is working on this repository ({holder})", TimeSpan.FromSeconds(15));
            }

            if (dispatch.Finished is { } report)
            {
                if (Report(context, report) is { } failure)
                {
                    return failure;
                }

                syncedAt = report.StartTime;
            }

            pending = dispatch.Pending;
        }

        pending ??= open.LastOrDefault();
        if (pending is not null)
        {
            // The worker notifies the controller when it finishes; the delay is only the fallback.
            return StepResult.Wait(pending.Running ? Reasons.SyncRunning : Reasons.SyncQueued, pending.Describe(), TimeSpan.FromSeconds(15));
        }

        if (schedule is not null)
        {
            context.Status.NextSyncTime = syncedAt is { } at ? NextOccurrence(schedule, zone, at) : null;
            context.RequeueAfter = context.Status.NextSyncTime - services.Time.GetUtcNow();
        }

        return StepResult.Continue;
    }

    /// <summary>
    /// Puts a finished sync on status.lastSync, and the request it answered on lastHandledRequest (the outcome is taken once,
    /// so the request must not look new afterwards); returns Retry (SyncFailed) for a failure, null for a success.
    /// </summary>
    private StepResult? Report(Context context, SyncReport report)
    {
        if (report.Requested is { } requested)
        {
            context.Status.LastHandledRequest = requested;
        }

        if (!report.Succeeded)
        {
            return SyncFailed(context, report.StartTime, report.CompletionTime, report.Reason ?? Reasons.SyncFailed, report.Message ?? "unknown error");
        }

        var outcome = report.Outcome!;
        context.Status.LastSync = new SyncSummary
        {
            StartTime = report.StartTime,
            CompletionTime = report.CompletionTime,
            Result = SyncResult.Succeeded,
            Version = outcome.Version,
            Added = outcome.Added,
            Removed = outcome.Removed,
            Message = (outcome.Created
                ? $"version {outcome.Version}: {outcome.Added} added, {outcome.Removed} removed ({outcome.Downloaded} downloaded)"
                : $"no change from upstream; version {outcome.Version} is current")
                + (outcome.Repaired > 0 ? $"; {outcome.Repaired} artifacts missing from the artifact store were downloaded again" : ""),
        };
        if (outcome.Created)
        {
            var repository = context.Repository;
            services.Events.Record(repository.Kind, repository.Namespace, repository.Name, false, Reasons.SyncSucceeded, context.Status.LastSync.Message!);
        }

        return null;
    }

    private static StepResult SyncFailed(Context context, DateTimeOffset started, DateTimeOffset completed, string reason, string message)
    {
        var text = $"sync failed: {UrlSanitizer.Sanitize(message)}";
        context.Status.LastSync = new SyncSummary
        {
            StartTime = started,
            CompletionTime = completed,
            Result = SyncResult.Failed,
            Version = context.Status.LatestVersion,
            Message = text,
        };
        return StepResult.Retry(reason == Reasons.SyncFailed ? Reasons.SyncFailed : $"{Reasons.SyncFailed}{reason}", text);
    }

    /// <summary>Publishes the newest version when spec.publish.enabled (default); a failure is retried (PublishFailed).</summary>
    private async Task<StepResult> PublishAsync(Context context, CancellationToken cancellationToken)
    {
        var repository = context.Repository;
        var state = await services.Catalog.GetRepositoryStateAsync(context.RepositoryId, 1, cancellationToken);
        if (repository.Spec.Publish?.Enabled == false || state.LatestPublication?.Version == state.Latest.Number)
        {
            return StepResult.Continue;
        }

        try
        {
            await services.Publications.PublishAsync(context.RepositoryId, $"{repository.Namespace}/{repository.Name}", repository.Spec.Type.ToName(),
                state.Latest.Number, PublishOptionsBuilder.Build(repository, lookup), cancellationToken);
        }
        catch (SecretReferenceException e)
        {
            return StepResult.Stalled(e.Reason, e.Message);
        }
        catch (Exception e) when (e is PackyardException or IOException or Npgsql.NpgsqlException)
        {
            return StepResult.Retry(Reasons.PublishFailed, $"publishing version {state.Latest.Number} failed: {UrlSanitizer.Sanitize(e.Message)}");
        }

        services.Events.Record(repository.Kind, repository.Namespace, repository.Name, false, Reasons.Published, $"version {state.Latest.Number} published");
        return StepResult.Continue;
    }

    /// <summary>Applies spec.retainVersions.</summary>
    private async Task<StepResult> PruneVersionsAsync(Context context, CancellationToken cancellationToken)
    {
        if (context.Repository.Spec.RetainVersions is > 0 and var retain)
        {
            await services.Pruner.PruneAsync(context.RepositoryId, $"{context.Repository.Namespace}/{context.Repository.Name}", retain, cancellationToken);
        }

        return StepResult.Continue;
    }

    /// <summary>Fills status from the engine: latest version, recent versions, content count, publication.</summary>
    private async Task<StepResult> ReportAsync(Context context, CancellationToken cancellationToken)
    {
        var state = await services.Catalog.GetRepositoryStateAsync(context.RepositoryId, VersionsInStatus, cancellationToken);
        var status = context.Status;
        status.LatestVersion = state.Latest.Number;
        status.ContentCount = state.Latest.ContentCount;
        status.Versions = state.Versions.Select(v => new RepositoryVersionSummary
        {
            Number = v.Number, Created = v.Created, Added = v.Added, Removed = v.Removed, ContentCount = v.ContentCount,
        }).ToList();
        status.Publication = state.LatestPublication is { } p ? new PublicationSummary { Version = p.Version, Created = p.Created } : null;
        context.Summary = status.Publication is { } published
            ? $"version {state.Latest.Number} with {state.Latest.ContentCount} units; version {published.Version} published"
            : $"version {state.Latest.Number} with {state.Latest.ContentCount} units";
        return StepResult.Continue;
    }

    internal static DateTimeOffset NextOccurrence(CrontabSchedule schedule, TimeZoneInfo zone, DateTimeOffset after)
    {
        var local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var next = schedule.GetNextOccurrence(local);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(next, DateTimeKind.Unspecified), zone), TimeSpan.Zero);
    }

    /// <summary>What the last successful sync was made with; a difference means the repository must sync again.</summary>
    private static string Fingerprint(RemoteSettings remote, SyncMode mode)
    {
        var text = string.Join('\n', remote.Type, remote.BaseUrl, remote.Policy, remote.OptionsJson, remote.Username, remote.Password, remote.Token, mode);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
