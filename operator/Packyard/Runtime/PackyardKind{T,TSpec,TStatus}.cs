using k8s.Models;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Api.Schema;
using Packyard.ControllerRuntime;
using Packyard.Controllers;
using Packyard.Standalone;

namespace Packyard.Runtime;

/// <summary>
/// The registration of one Packyard kind (<see cref="KindRegistry"/>) and the reconcile skeleton every kind shares in both modes:
/// a gone object has its engine side cleaned up; a deleting one is cleaned up and its finalizer removed; a live one gets the
/// finalizer first (when the kind holds one), is reconciled on a copy of the object as read (or stalls with InvalidSpec when its
/// manifest is invalid), and its status goes to the mode's <see cref="IStatusSink"/>.
/// </summary>
public sealed class PackyardKind<T, TSpec, TStatus>(string name, int order, ResourceKind<T> api) : KindRegistration<T>(name, order, api)
    where T : PackyardResource<TSpec, TStatus>, new()
    where TSpec : new()
    where TStatus : ResourceStatus, new()
{
    /// <summary>The kind's reconciler call.</summary>
    public required Func<T, KindContext, CancellationToken, Task<StepResult>> Reconcile { get; init; }

    /// <summary>The kinds and names an object refers to (null names are no reference).</summary>
    public Func<T, IEnumerable<(string Kind, string? Name)>> Refers { get; init; } = _ => [];

    /// <summary>The Secrets an object reads.</summary>
    public Func<T, IEnumerable<SecretReference?>> Reads { get; init; } = _ => [];

    /// <summary>What cleans up an object's engine side when it goes; null when nothing must.</summary>
    public IKindFinalizer? Finalizer { get; init; }

    /// <summary>Whether the object holds <c>packyard.io/finalizer</c> until <see cref="Finalizer"/> ran.</summary>
    public bool HoldsFinalizerWhileAlive { get; init; }

    /// <summary>The status view of <c>GET /api/v1/resources</c>.</summary>
    public required Func<TStatus?, ResourceStatusView> StatusView { get; init; }

    public override bool HoldsFinalizer => HoldsFinalizerWhileAlive;

    public override IReadOnlySet<string> ReferredKinds => field ??= Refers(new T()).Select(r => r.Kind).ToHashSet(StringComparer.Ordinal);

    public override IEnumerable<ResourceKey> References(object resource)
    {
        var item = (T)resource;
        return Refers(item).Where(r => !string.IsNullOrEmpty(r.Name)).Select(r => new ResourceKey(r.Kind, item.Namespace, r.Name!));
    }

    public override IEnumerable<string> Secrets(object resource) => Reads((T)resource).OfType<SecretReference>().Select(r => r.Name);

    public override ResourceStatus? StatusOf(object resource) => ((T)resource).Status;

    public override ResourceStatusView View(object resource) => StatusView(((T)resource).Status);

    public override object Stub(string ns, string name) =>
        new T { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Generation = 1 } };

    public override void CopyStatus(T from, T to) => to.Status = from.Status;

    internal override async Task<StepResult?> ReconcileAsync(ResourceKey key, KindContext context, CancellationToken cancellationToken)
    {
        var sink = context.Sink;
        var current = context.Source.Get(this, key.Namespace, key.Name);
        if (current is null)
        {
            // Gone (removed from the manifests, deleted without our finalizer or after it was removed): the engine side goes
            // too; cleanup is idempotent.
            var reported = Finalizer is not null && await Finalizer.FinalizeAsync(key, context, cancellationToken);
            sink.Deleted(key, reported);
            return null;
        }

        var (cached, invalid) = current.Value;
        var item = Api.Clone(cached);
        var finalizers = item.Metadata.Finalizers ?? [];
        if (item.Metadata.DeletionTimestamp is not null)
        {
            if (HoldsFinalizer && finalizers.Contains(PackyardGroup.Finalizer))
            {
                await Finalizer!.FinalizeAsync(key, context, cancellationToken);
                // Commit point: the engine side is gone, so the finalizer must go even if shutdown was requested meanwhile.
                if (await sink.RemoveFinalizerAsync(this, item, CancellationToken.None))
                {
                    sink.Finalized(key);
                }
            }

            return null;
        }

        if (HoldsFinalizer && !finalizers.Contains(PackyardGroup.Finalizer))
        {
            item = await sink.AddFinalizerAsync(this, item, cancellationToken);
        }

        StepResult result;
        if (invalid is null)
        {
            result = await Reconcile(item, context, cancellationToken);
        }
        else
        {
            // The last valid object stays (and keeps serving); it stalls until its manifest is fixed.
            result = StepResult.Stalled(Reasons.InvalidSpec, invalid);
            ReconcileSummarizer.Summarize(item, result, context.Services.Time.GetUtcNow(), context.Services.Events);
        }

        // Deleted while we reconciled: the source brings the deletion.
        return await sink.WriteStatusAsync(this, cached, item, cancellationToken) ? result : null;
    }
}
