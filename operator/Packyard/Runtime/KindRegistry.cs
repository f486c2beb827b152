using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Operator;
using Packyard.Standalone;

namespace Packyard.Runtime;

/// <summary>
/// The kinds Packyard reconciles, each registered once: its name, its reconciler call, what it refers to (it is reconciled again
/// when that changes), the Secrets it reads, and its finalizer or cleanup. Both modes' runtime, sources and views ask here.
/// </summary>
public static class KindRegistry
{
    public static readonly PackyardKind<Remote, RemoteSpec, RemoteStatus> Remote = new(KindNames.Remote, 0, PackyardKinds.Remote)
    {
        Reconcile = ReconcileRemoteAsync,
        Reads = r => [r.Spec.AuthSecretRef, r.Spec.Tls?.CaSecretRef, r.Spec.Tls?.ClientCertSecretRef, r.Spec.Proxy?.AuthSecretRef,
            (r.Spec.TypeOptions() as ISignedRemoteOptions)?.SigningKeySecretRef],
        Finalizer = new RemoteCleanup(),
        StatusView = s => new ResourceStatusView(s, null, null, null),
    };

    public static readonly PackyardKind<Repository, RepositorySpec, RepositoryStatus> Repository = new(KindNames.Repository, 1, PackyardKinds.Repository)
    {
        Reconcile = ReconcileRepositoryAsync,
        Refers = r => [(KindNames.Remote, r.Spec.RemoteRef?.Name)],
        Reads = r => [r.Spec.Publish?.SigningKeySecretRef],
        Finalizer = new RepositoryCleanup(),
        HoldsFinalizerWhileAlive = true,
        StatusView = s => new ResourceStatusView(null, s, null, null),
    };

    public static readonly PackyardKind<Distribution, DistributionSpec, DistributionStatus> Distribution = new(KindNames.Distribution, 2, PackyardKinds.Distribution)
    {
        Reconcile = ReconcileDistributionAsync,
        Refers = d => [(KindNames.Repository, d.Spec.RepositoryRef.Name), (KindNames.Remote, d.Spec.PullThrough?.RemoteRef.Name)],
        Reads = d => [d.Spec.ContentGuard?.BasicAuthSecretRef, d.Spec.ContentGuard?.TokenSecretRef],
        Finalizer = new DistributionFinalizer(),
        HoldsFinalizerWhileAlive = true,
        StatusView = s => new ResourceStatusView(null, null, s, null),
    };

    public static readonly PackyardKind<Promotion, PromotionSpec, PromotionStatus> Promotion = new(KindNames.Promotion, 3, PackyardKinds.Promotion)
    {
        Reconcile = (p, c, token) => new PromotionReconciler(c.Services, c.Source, c.Trigger).ReconcileAsync(p, token),
        Refers = p => [(KindNames.Repository, p.Spec.SourceRef.Name)],
        StatusView = s => new ResourceStatusView(null, null, null, s),
    };

    /// <summary>Every kind, in reconcile order (kinds referred to first).</summary>
    public static IReadOnlyList<KindRegistration> All { get; } = [Remote, Repository, Distribution, Promotion];

    private static readonly Dictionary<string, KindRegistration> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);
    private static readonly Dictionary<Type, KindRegistration> ByType = All.ToDictionary(k => k.Type);

    /// <summary>The kind named <paramref name="name"/>, or null when Packyard does not reconcile it (a Secret, an unknown kind).</summary>
    public static KindRegistration? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The kind of <paramref name="resource"/>.</summary>
    public static KindRegistration Of(object resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return ByType.TryGetValue(resource.GetType(), out var kind)
            ? kind
            : throw new ArgumentException($"{resource.GetType().Name} is not a registered kind", nameof(resource));
    }

    /// <summary>A Remote with a relative <c>file:</c> URL resolved against the working directory (status lands on the original).</summary>
    private static async Task<StepResult> ReconcileRemoteAsync(Remote remote, KindContext context, CancellationToken cancellationToken)
    {
        var resolved = ResourceCache.WithAbsoluteFileUrl(remote);
        var result = await new RemoteReconciler(context.Services, context.Source).ReconcileAsync(resolved, cancellationToken);
        remote.Status = resolved.Status;
        return result;
    }

    /// <summary>A Repository, and the end of its sync reported to the sink (the sync-duration metric); progress comes from the worker (ITaskProgressSink).</summary>
    private static async Task<StepResult> ReconcileRepositoryAsync(Repository repository, KindContext context, CancellationToken cancellationToken)
    {
        var before = repository.Status?.LastSync?.CompletionTime;
        var result = await new RepositoryReconciler(context.Services, context.Source).ReconcileAsync(repository, cancellationToken);
        if (repository.Status?.LastSync is { CompletionTime: { } completed, StartTime: { } started } sync && completed != before)
        {
            context.Sink.SyncFinished(sync.Result.ToString()?.ToLowerInvariant() ?? "unknown", completed - started);
        }

        return result;
    }

    /// <summary>A Distribution; the content app reads what it serves again at once.</summary>
    private static async Task<StepResult> ReconcileDistributionAsync(Distribution distribution, KindContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await new DistributionReconciler(context.Services, context.Source).ReconcileAsync(distribution, cancellationToken);
        }
        finally
        {
            context.DistributionCache?.Invalidate();
        }
    }
}
