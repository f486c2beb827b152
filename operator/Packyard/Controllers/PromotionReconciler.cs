using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Engine.Promotions;

namespace Packyard.Controllers;

/// <summary>
/// Reconciles a Promotion: holds while the target contains the selection of the source version. Creates a
/// target version only when something changes, then asks for the target Repository to be reconciled (published).
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

        PromotionOutcome outcome;
        try
        {
            outcome = await services.Promotions.PromoteAsync(sourceId.Value, spec.SourceVersion, targetId.Value, source.Spec.Type.ToName(),
                spec.Select, spec.Mode, cancellationToken);
        }
        catch (SourceVersionNotFoundException e)
        {
            return spec.SourceVersion is null
                ? StepResult.Retry(Reasons.VersionNotFound, e.Message)
                : StepResult.Stalled(Reasons.VersionNotFound, $"spec.sourceVersion: {e.Message}");
        }

        status.SourceVersion = outcome.SourceVersion;
        status.TargetVersion = outcome.Target.Version;
        if (outcome.Target.Created)
        {
            status.Added = outcome.Target.Added;
            status.Removed = outcome.Target.Removed;
            var message = $"{source.Name} version {outcome.SourceVersion} promoted to {target.Name} version {outcome.Target.Version}: "
                + $"{outcome.Target.Added} added, {outcome.Target.Removed} removed";
            services.Events.Record(promotion.Kind, ns, promotion.Name, false, Reasons.Promoted, message);
            trigger.Enqueue(Runtime.KindNames.Repository, ns, target.Name);
        }

        status.Added ??= 0;
        status.Removed ??= 0;
        return StepResult.Done(Reasons.Promoted,
            $"{target.Name} version {outcome.Target.Version} holds the selection of {source.Name} version {outcome.SourceVersion}");
    }
}
