using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Engine.Tasks;

namespace Packyard.Controllers;

/// <summary>
/// Reconciles a Promotion: holds while the target contains the selection of the source version. The promotion runs as a
/// promote task on a worker (status Reconciling PromotionQueued / PromotionRunning meanwhile), which creates a target version
/// only when something changes; the finished task is reported once, and a new target version asks for the target
/// Repository to be reconciled (published).
/// </summary>
public sealed class PromotionReconciler(ReconcileServices services, IResourceLookup lookup, IReconcileTrigger trigger)
{
    public async Task<StepResult> ReconcileAsync(Promotion promotion, CancellationToken cancellationToken)
    {
        var result = await ReconcileSteps.GuardAsync(token => ApplyAsync(promotion, token), cancellationToken);
        ReconcileSummarizer.Summarize(promotion, result, services.Time.GetUtcNow(), services.Events);
        return result;
    }

    private async Task<StepResult> ApplyAsync(Promotion promotion, CancellationToken cancellationToken)
    {
        var ns = promotion.Namespace;
        var spec = promotion.Spec;
        var status = promotion.Status ??= new PromotionStatus();
        if (spec.Suspend)
        {
            return StepResult.Done(Reasons.Suspended, "promotion is suspended");
        }

        var source = lookup.GetRepository(ns, spec.SourceRef.Name);
        var target = lookup.GetRepository(ns, spec.TargetRef.Name);
        if (source is null || target is null)
        {
            var missing = source is null ? $"spec.sourceRef: Repository {ns}/{spec.SourceRef.Name}" : $"spec.targetRef: Repository {ns}/{spec.TargetRef.Name}";
            return StepResult.Wait(Reasons.ReferenceNotFound, $"{missing} not found", TimeSpan.FromSeconds(10));
        }

        if (source.Spec.Type != target.Spec.Type)
        {
            return StepResult.Stalled(Reasons.TypeMismatch,
                $"source {source.Name} is {source.Spec.Type.ToName()} but target {target.Name} is {target.Spec.Type.ToName()}");
        }

        var sourceId = await services.Catalog.FindRepositoryAsync(ns, source.Name, cancellationToken);
        var targetId = await services.Catalog.FindRepositoryAsync(ns, target.Name, cancellationToken);
        if (sourceId is null || targetId is null)
        {
            return StepResult.Wait(Reasons.ReferenceNotFound, "waiting for the source and target repositories to be created", TimeSpan.FromSeconds(5));
        }

        // The promotion is a task for a worker, holding the TARGET repository's lock (so it waits while a sync of the target
        // runs). It is due unless the last successful one was made with the same source version, selection and mode and the
        // target has not changed since.
        var key = $"{ns}/{promotion.Name}";
        var sourceVersion = spec.SourceVersion ?? (await services.Catalog.GetRepositoryStateAsync(sourceId.Value, 1, cancellationToken)).Latest.Number;
        var targetVersion = (await services.Catalog.GetRepositoryStateAsync(targetId.Value, 1, cancellationToken)).Latest.Number;
        var args = new PromoteTaskArgs(key, $"{ns}/{source.Name}", $"{ns}/{target.Name}", sourceId.Value, spec.SourceVersion, source.Spec.Type.ToName(),
            spec.Select, spec.Mode, Fingerprint(sourceId.Value, targetId.Value, sourceVersion, spec));
        var open = await services.Promotions.FindOpenAsync(TaskKinds.Promote, key, cancellationToken);
        if (await services.Promotions.TakeFinishedPromoteAsync(key, cancellationToken) is { } finished)
        {
            var (ran, report) = finished;
            if (!report.Succeeded && ran.Fingerprint == args.Fingerprint && open.Count == 0)
            {
                var message = report.Message ?? "the promotion failed";
                return report.Reason != Reasons.VersionNotFound ? StepResult.Retry(report.Reason ?? Reasons.PromotionFailed, message)
                    : spec.SourceVersion is null ? StepResult.Retry(Reasons.VersionNotFound, message)
                    : StepResult.Stalled(Reasons.VersionNotFound, $"spec.sourceVersion: {message}");
            }

            if (report is { Succeeded: true, Created: true })
            {
                status.Added = report.Added;
                status.Removed = report.Removed;
                services.Events.Record(promotion.Kind, ns, promotion.Name, false, Reasons.Promoted,
                    $"{source.Name} version {report.SourceVersion} promoted to {target.Name} version {report.TargetVersion}: {report.Added} added, {report.Removed} removed");
                trigger.Enqueue(Runtime.KindNames.Repository, ns, target.Name);
            }
        }

        if (open.LastOrDefault() is { } pending)
        {
            return PromotionPending(pending);
        }

        if (await services.Promotions.FindLastPromotedAsync(key, cancellationToken) is { } last && last.Args.Fingerprint == args.Fingerprint
            && last.Report.TargetVersion == targetVersion)
        {
            status.SourceVersion = last.Report.SourceVersion;
            status.TargetVersion = last.Report.TargetVersion;
            status.Added ??= 0;
            status.Removed ??= 0;
            return StepResult.Done(Reasons.Promoted,
                $"{target.Name} version {last.Report.TargetVersion} holds the selection of {source.Name} version {last.Report.SourceVersion}");
        }

        return PromotionPending(await services.Promotions.EnqueuePromoteAsync(targetId.Value, args, cancellationToken));
    }

    private static StepResult PromotionPending(TaskTicket ticket) =>
        StepResult.Wait(ticket.Running ? Reasons.PromotionRunning : Reasons.PromotionQueued, ticket.Describe(), TimeSpan.FromSeconds(15));

    /// <summary>Everything a promotion is made with but the target's content: repositories, the source version, selection and mode.</summary>
    private string Fingerprint(long sourceId, long targetId, long sourceVersion, PromotionSpec spec)
    {
        var select = spec.Select is { } s ? string.Join('\u001f', s.Names ?? []) + "\u001e" + string.Join('\u001f', s.Paths ?? []) : "-";
        return services.Secrets.Fingerprint(string.Join('\n', sourceId, targetId, sourceVersion, select, spec.Mode));
    }
}
