using System.Security.Cryptography;
using System.Text;
using NCrontab;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Sync;

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

    /// <summary>Creates the engine's repository record (with version 0) and applies spec.uploads.</summary>
    private async Task<StepResult> EnsureRepositoryAsync(Context context, CancellationToken cancellationToken)
    {
        var repository = context.Repository;
        try
        {
            context.RepositoryId = await services.Catalog.EnsureRepositoryAsync(repository.Namespace, repository.Name, repository.Spec.Type.ToName(), cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            return StepResult.Stalled(Reasons.InvalidSpec, e.Message);
        }

        await services.Catalog.SetUploadsEnabledAsync(context.RepositoryId, repository.Spec.Uploads?.Enabled ?? false, cancellationToken);
        return StepResult.Continue;
    }

    /// <summary>
    /// Syncs when due; a failed sync returns Retry (SyncFailed) and records status.lastSync with the message.
    /// Invalid schedules stall. Sets the requeue for the next scheduled sync.
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

        var now = services.Time.GetUtcNow();
        var (fingerprint, lastStarted) = await services.Catalog.GetSyncStateAsync(context.RepositoryId, cancellationToken);
        var wanted = Fingerprint(context.Remote, sync.Mode);
        var requested = repository.Metadata.Annotations?.GetValueOrDefault(Api.Schema.PackyardGroup.RequestedAtAnnotation);
        var due = fingerprint != wanted
            || (requested is not null && requested != context.Status.LastHandledRequest)
            || (schedule is not null && lastStarted is { } last && NextOccurrence(schedule, zone, last) <= now);

        if (!due)
        {
            context.Status.NextSyncTime = schedule is not null && lastStarted is { } l ? NextOccurrence(schedule, zone, l) : null;
            context.RequeueAfter = context.Status.NextSyncTime - now;
            return StepResult.Continue;
        }

        await using var task = await services.Tasks.TryStartAsync("sync", context.RepositoryId, cancellationToken);
        if (task is null)
        {
            var holder = await services.Tasks.DescribeRunningAsync(context.RepositoryId, cancellationToken);
            return StepResult.Wait("SyncInProgress", $"another worker is working on this repository ({holder})", TimeSpan.FromSeconds(15));
        }

        var started = now;
        context.Status.LastSync = new SyncSummary { StartTime = started };
        try
        {
            var outcome = await services.Sync.SyncAsync(
                new SyncRequest(context.RepositoryId, $"{repository.Namespace}/{repository.Name}", context.RemoteId, context.Remote, sync.Mode),
                context.Progress, cancellationToken);
            await services.Catalog.RecordSyncAsync(context.RepositoryId, wanted, started, cancellationToken);
            context.Status.LastSync = new SyncSummary
            {
                StartTime = started,
                CompletionTime = services.Time.GetUtcNow(),
                Result = SyncResult.Succeeded,
                Version = outcome.Version,
                Added = outcome.Added,
                Removed = outcome.Removed,
                Message = outcome.Created
                    ? $"version {outcome.Version}: {outcome.Added} added, {outcome.Removed} removed ({outcome.Downloaded} downloaded)"
                    : $"no change from upstream; version {outcome.Version} is current",
            };
            if (outcome.Created)
            {
                services.Events.Record(repository.Kind, repository.Namespace, repository.Name, false, Reasons.SyncSucceeded, context.Status.LastSync.Message!);
            }

            await task.CompleteAsync(true, null);
        }
        catch (PackyardException e)
        {
            await task.CompleteAsync(false, e.Message);
            return SyncFailed(context, started, e.Reason, e.Message);
        }
        catch (Engine.Storage.ArtifactStoreException e)
        {
            await task.CompleteAsync(false, e.Message);
            return SyncFailed(context, started, e.Reason, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or Npgsql.NpgsqlException or NotSupportedException)
        {
            await task.CompleteAsync(false, e.Message);
            return SyncFailed(context, started, Reasons.SyncFailed, e.Message);
        }

        if (schedule is not null)
        {
            context.Status.NextSyncTime = NextOccurrence(schedule, zone, started);
            context.RequeueAfter = context.Status.NextSyncTime - services.Time.GetUtcNow();
        }

        return StepResult.Continue;
    }

    private StepResult SyncFailed(Context context, DateTimeOffset started, string reason, string message)
    {
        var text = $"sync failed: {UrlSanitizer.Sanitize(message)}";
        context.Status.LastSync = new SyncSummary
        {
            StartTime = started,
            CompletionTime = services.Time.GetUtcNow(),
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
