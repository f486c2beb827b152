using System.Security.Cryptography;
using System.Text;
using Cronos;
using Packyard.Manifests;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Engine.Secrets;
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
    public sealed class Context(Repository repository)
    {
        public Repository Repository { get; } = repository;
        public RepositoryStatus Status { get; } = repository.Status ??= new RepositoryStatus();
        public long RepositoryId { get; set; }
        public long RemoteId { get; set; }
        public RemoteSettings? Remote { get; set; }
        public string Summary { get; set; } = "";
        public TimeSpan? RequeueAfter { get; set; }

        /// <summary>How the sync reported in this reconcile published the version it created, in its own task; null when it did not.</summary>
        public PublishReport? SyncPublication { get; set; }

        /// <summary>The outcome of the steps owning a negative-polarity condition, by condition (see <see cref="Owning"/>).</summary>
        public Dictionary<string, StepResult> Owned { get; } = new(StringComparer.Ordinal);
    }

    public async Task<StepResult> ReconcileAsync(Repository repository, CancellationToken cancellationToken)
    {
        var context = new Context(repository);
        // Set again below while a task of the repository runs; a finished task's progress is gone with it.
        context.Status.Progress = null;
        ReconcileStep<Context>[] steps =
        [
            ResolveRemoteAsync, EnsureRepositoryAsync, Owning(ConditionTypes.SyncFailed, SyncAsync), Owning(ConditionTypes.PublishFailed, PublishAsync),
            PruneVersionsAsync, ReportAsync,
        ];
        var result = await ReconcileSteps.RunAsync(steps, context, cancellationToken);
        if (result.Outcome == StepOutcome.Continue)
        {
            result = StepResult.Done(Reasons.Succeeded, context.Summary, context.RequeueAfter);
        }

        ReconcileSummarizer.Summarize(repository, result, services.Time.GetUtcNow(), services.Events, context.Owned);
        return result;
    }

    /// <summary><paramref name="step"/>, its outcome kept for the negative-polarity condition <paramref name="condition"/> it owns.</summary>
    private static ReconcileStep<Context> Owning(string condition, ReconcileStep<Context> step) => async (context, cancellationToken) =>
        context.Owned[condition] = await step(context, cancellationToken);

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

        context.RemoteId = await services.Remotes.UpsertRemoteAsync(context.Remote, cancellationToken);
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
    /// Syncs when due (created, settings changed, requested, scheduled, or the last sync failed) through <see cref="ISyncDispatcher"/>.
    /// A finished sync fills status.lastSync (SyncSucceeded event on a new version). A failed one keeps Ready=False (SyncFailed, with
    /// the cause) and is retried by itself after its backoff (status.nextRetryTime); one that ended without a result too often
    /// stalls until the Remote, its Secrets, the spec or the request change. While a queued sync waits or runs, returns Wait
    /// (SyncQueued / SyncRunning) with the task in the message; a running sync made with other settings is cancelled. Invalid or
    /// never-firing schedules stall. Sets the requeue for the next scheduled sync.
    /// </summary>
    private async Task<StepResult> SyncAsync(Context context, CancellationToken cancellationToken)
    {
        var repository = context.Repository;
        if (context.Remote is null || repository.Spec.Sync?.Suspend == true)
        {
            return StepResult.Continue;
        }

        var sync = repository.Spec.Sync ?? new RepositorySync();
        CronExpression? schedule = null;
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (sync.Schedule is { } cron)
        {
            if (SyncSchedule.Parse(cron, sync.TimeZone, out schedule, out zone) is { } invalid)
            {
                return StepResult.Stalled(Reasons.InvalidSpec, invalid);
            }
        }

        // Read in this order so that a sync finishing meanwhile is seen as still open or as finished, never as neither (which
        // would queue it again): open syncs, then the recorded sync state, then the finished outcome.
        var syncs = services.Syncs;
        var open = await syncs.FindOpenAsync(context.RepositoryId, cancellationToken);
        var (fingerprint, lastStarted) = await services.Catalog.GetSyncStateAsync(context.RepositoryId, cancellationToken);
        var finished = await syncs.TakeFinishedAsync(context.RepositoryId, cancellationToken);
        if (finished is not null)
        {
            Report(context, finished);
        }

        var now = services.Time.GetUtcNow();
        var wanted = Fingerprint(services.Secrets, context.Remote, sync.Mode);
        var requested = repository.Metadata.Annotation(Api.Schema.PackyardGroup.RequestedAtAnnotation);
        var newRequest = requested is not null && requested != context.Status.LastHandledRequest;
        var attempt = Attempt(services.Secrets, context.Remote, sync.Mode, requested, repository.Metadata.Generation);
        var failures = await syncs.GetFailuresAsync(context.RepositoryId, cancellationToken);
        context.Status.NextRetryTime = null;
        var failed = failures is null ? null : FailedSync(context, failures, attempt, now);
        var due = fingerprint != wanted || newRequest || failures is not null
            || (schedule is not null && lastStarted is { } last && SyncSchedule.Next(schedule, zone, last) <= now);

        // A queued or running sync with the wanted settings (and for the new request, if any) covers what is due; one made with
        // other settings (the Remote changed) is cancelled; any open sync keeps the repository Reconciling.
        var syncedAt = lastStarted;
        var pending = open.LastOrDefault(t => t.Args.Fingerprint == wanted && (!newRequest || t.Args.Requested == requested));
        if (open.Any(t => t.Running && t.Args.Fingerprint != wanted))
        {
            await syncs.CancelAsync($"{repository.Namespace}/{repository.Name}", "canceled: the Remote's settings changed", cancellationToken);
            open = [];
            pending = null;
        }

        if (pending is null && failed is { Outcome: not StepOutcome.Continue })
        {
            return failed.Value;
        }

        if (pending is null && due)
        {
            pending = await syncs.QueueAsync(
                new SyncJob(new SyncRequest(context.RepositoryId, $"{repository.Namespace}/{repository.Name}", context.RemoteId, context.Remote, sync.Mode),
                    wanted, requested, attempt) { Publish = PublishWithSync(context) },
                cancellationToken);
        }

        pending ??= open.LastOrDefault();
        if (open.FirstOrDefault(t => t.Running) is { } running)
        {
            context.Status.Progress = TaskProgressView.Of(running.Id, TaskKinds.Sync, running.Progress);
        }

        if (pending is not null)
        {
            // The worker notifies the controller when it finishes; the delay is only the fallback. A retry after a failure keeps
            // the failure's reason, so Ready stays SyncFailed until a sync succeeds.
            return failures is null
                ? StepResult.Wait(pending.Running ? Reasons.SyncRunning : Reasons.SyncQueued, pending.Describe(), TimeSpan.FromSeconds(15))
                : StepResult.Wait(FailedReason(failures.Reason), $"sync failed: {UrlSanitizer.Sanitize(failures.Message)}; retrying: {pending.Describe()}",
                    TimeSpan.FromSeconds(15));
        }

        if (schedule is not null)
        {
            context.Status.NextSyncTime = syncedAt is { } at ? SyncSchedule.Next(schedule, zone, at) : null;
            context.RequeueAfter = context.Status.NextSyncTime - services.Time.GetUtcNow();
        }

        return StepResult.Continue;
    }

    /// <summary>
    /// What the repository's failed syncs mean now: Stalled when syncs of this attempt ended without a result too often; Retry at
    /// the end of the backoff (status.nextRetryTime) while it runs; Continue when the retry is due or the attempt changed.
    /// </summary>
    private StepResult? FailedSync(Context context, SyncFailures failures, string attempt, DateTimeOffset now)
    {
        if (failures.LastAttempt != attempt)
        {
            return StepResult.Continue;
        }

        var retry = services.Retry;
        if (failures.Unexpected >= retry.MaxAttempts)
        {
            return SyncFailed(failures.Reason, failures.Message,
                $" (gave up after {failures.Unexpected} attempts that ended without a result; change the Remote or its Secrets, or set {Api.Schema.PackyardGroup.RequestedAtAnnotation}, to try again)",
                null, stalled: true);
        }

        var at = failures.LastFinished + retry.Backoff(failures.Count, failures.LastTaskId);
        if (at <= now)
        {
            return StepResult.Continue;
        }

        context.Status.NextRetryTime = at;
        return SyncFailed(failures.Reason, failures.Message,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; {failures.Count} in a row, retrying at {at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}"), at - now);
    }

    private static string FailedReason(string reason) => reason == Reasons.SyncFailed ? Reasons.SyncFailed : $"{Reasons.SyncFailed}{reason}";

    private static StepResult SyncFailed(string reason, string message, string suffix, TimeSpan? after, bool stalled = false)
    {
        var text = $"sync failed: {UrlSanitizer.Sanitize(message)}{suffix}";
        return stalled ? StepResult.Stalled(FailedReason(reason), text) : StepResult.Retry(FailedReason(reason), text, after);
    }

    /// <summary>
    /// Puts a finished sync on status.lastSync, and the request it answered on lastHandledRequest (the outcome is taken once,
    /// so the request must not look new afterwards).
    /// </summary>
    private void Report(Context context, SyncReport report)
    {
        if (report.Requested is { } requested)
        {
            context.Status.LastHandledRequest = requested;
        }

        if (!report.Succeeded)
        {
            context.Status.LastSync = new SyncSummary
            {
                StartTime = report.StartTime,
                CompletionTime = report.CompletionTime,
                Result = SyncResult.Failed,
                Version = context.Status.LatestVersion,
                Message = $"sync failed: {UrlSanitizer.Sanitize(report.Message ?? "unknown error")}",
            };
            return;
        }

        var outcome = report.Outcome!;
        context.SyncPublication = report.Publication;
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
    }

    /// <summary>
    /// Publishes the newest version when spec.publish.enabled (default), and publishes it again when spec.publish changed (the
    /// publication's options fingerprint differs). A version a sync created is published by the sync's own task
    /// (<see cref="PublishWithSync"/>) and only reported here; any other unpublished version (version 0, an upload, a promotion,
    /// a publish that failed or was interrupted inside the sync) as a publish task for a worker: while it waits or runs,
    /// Wait (PublishQueued / PublishRunning) with the task in the message; a finished one is reported once (Published event, or
    /// Retry PublishFailed with the cause), and a failed one is queued again on the retry.
    /// </summary>
    private async Task<StepResult> PublishAsync(Context context, CancellationToken cancellationToken)
    {
        var repository = context.Repository;
        if (repository.Spec.Publish?.Enabled == false)
        {
            return StepResult.Continue;
        }

        var state = await services.Catalog.GetRepositoryStateAsync(context.RepositoryId, 1, cancellationToken);
        var version = state.Latest.Number;
        var name = $"{repository.Namespace}/{repository.Name}";
        var finished = await services.Tasks.TakeFinishedPublishAsync(context.RepositoryId, version, cancellationToken);
        if (finished is null && context.SyncPublication?.Version == version)
        {
            // The sync task published the version it created: reported like a publish task of its own.
            finished = context.SyncPublication;
        }

        if (finished is { Succeeded: true })
        {
            services.Events.Record(repository.Kind, repository.Namespace, repository.Name, false, Reasons.Published, $"version {version} published");
        }

        PublishOptions options;
        try
        {
            options = PublishOptionsBuilder.Build(repository, lookup);
        }
        catch (SecretReferenceException e)
        {
            // A published version stays served; the missing key is reported when something needs publishing.
            return state.LatestPublication?.Version == version ? StepResult.Continue : StepResult.Stalled(e.Reason, e.Message);
        }

        // Published with other options (spec.publish changed): published again, the current publication serving meanwhile.
        if (state.LatestPublication?.Serves(version, PublishOptionsFingerprint.Of(options)) == true)
        {
            return StepResult.Continue;
        }

        if (finished is { Succeeded: false } failed)
        {
            var reason = failed.Reason is null or Reasons.UnexpectedError ? Reasons.PublishFailed : failed.Reason;
            return StepResult.Retry(reason, UrlSanitizer.Sanitize(failed.Message ?? $"publishing version {version} failed"));
        }

        var open = await services.Tasks.FindOpenAsync(TaskKinds.Publish, TaskQueue.PublishKey(context.RepositoryId, version), cancellationToken);
        if (open.LastOrDefault() is { } pending)
        {
            if (pending.Running)
            {
                context.Status.Progress = TaskProgressView.Of(pending.Id, TaskKinds.Publish, null);
            }

            return PublishPending(pending);
        }

        var args = PublishOptionsBuilder.TaskArgs(repository, options, services.Secrets, version);
        return PublishPending(await services.Tasks.EnqueuePublishAsync(context.RepositoryId, args, $"Repository/{name}", cancellationToken));
    }

    /// <summary>
    /// The publish args a queued sync carries so that the version it creates is published in the same task (no PublishQueued round
    /// trip): null when publishing is disabled or the signing key cannot be read (the publish step reports that after the sync).
    /// The signing key is sealed as in a publish task. Its version is a placeholder: the worker publishes the version it created.
    /// </summary>
    private PublishTaskArgs? PublishWithSync(Context context)
    {
        if (context.Repository.Spec.Publish?.Enabled == false)
        {
            return null;
        }

        try
        {
            return PublishOptionsBuilder.Build(context.Repository, lookup, services.Secrets, version: 0);
        }
        catch (SecretReferenceException)
        {
            return null;
        }
    }

    /// <summary>Reconciling while a publish task waits for a worker or runs; the worker's notification ends the wait early.</summary>
    internal static StepResult PublishPending(TaskTicket ticket) =>
        StepResult.Wait(ticket.Running ? Reasons.PublishRunning : Reasons.PublishQueued, ticket.Describe(), TimeSpan.FromSeconds(15));

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
        status.ContentCounts = state.ContentCounts is { } counts ? new Dictionary<string, long>(counts, StringComparer.Ordinal) : null;
        status.Versions = state.Versions.Select(v => new RepositoryVersionSummary
        {
            Number = v.Number, Created = v.Created, Added = v.Added, Removed = v.Removed, ContentCount = v.ContentCount,
        }).ToList();
        status.Publication = state.LatestPublication is { } p ? new PublicationSummary { Version = p.Version, Created = p.Created } : null;
        var kinds = state.ContentCounts is { Count: > 0 } c ? $" ({string.Join(", ", c.Select(k => $"{k.Key}: {k.Value}"))})" : "";
        context.Summary = status.Publication is { } published
            ? $"version {state.Latest.Number} with {state.Latest.ContentCount} units{kinds}; version {published.Version} published"
            : $"version {state.Latest.Number} with {state.Latest.ContentCount} units{kinds}";
        return StepResult.Continue;
    }

    /// <summary>What the last successful sync was made with; a difference means the repository must sync again.</summary>
    private static string Fingerprint(SecretCipher secrets, RemoteSettings remote, SyncMode mode) =>
        secrets.Fingerprint(string.Join('\n', remote.Type, remote.BaseUrl, remote.Policy, TypeOptionsJson.Write(remote.TypeOptions), remote.Username, remote.Password, remote.Token, mode));

    /// <summary>
    /// Everything a sync attempt is made with: every Remote setting and Secret, the mode, the request and the Repository's
    /// generation. Failures count towards the backoff and the attempt limit only while it stays the same.
    /// </summary>
    private static string Attempt(SecretCipher secrets, RemoteSettings remote, SyncMode mode, string? requested, long? generation)
    {
        var text = string.Join('\n', remote.Type, remote.BaseUrl, remote.Policy, TypeOptionsJson.Write(remote.TypeOptions), remote.Username, remote.Password, remote.Token,
            remote.Concurrency, remote.RateLimit?.ToString("R", System.Globalization.CultureInfo.InvariantCulture), remote.Timeout, remote.CaCertificatePem,
            remote.ClientCertificatePem, remote.ClientKeyPem, remote.InsecureSkipVerify, remote.ProxyUrl, remote.ProxyUsername, remote.ProxyPassword,
            remote.VerificationKeys is { } keys ? Convert.ToHexString(SHA256.HashData(keys)) : "", mode, requested, generation);
        return secrets.Fingerprint(text);
    }
}
