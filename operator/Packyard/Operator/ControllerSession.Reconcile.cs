using System.Diagnostics;
using Microsoft.Extensions.Logging;
using System.Net;
using System.Text.Json.Nodes;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Engine.Sync;
using k8s;
using k8s.Models;
using Packyard.ControllerRuntime;

namespace Packyard.Operator;

public sealed partial class ControllerSession
{
    /// <summary>The finalizer that holds a Repository or Distribution until its engine side is cleaned up.</summary>
    public const string Finalizer = "packyard.io/finalizer";

    private async Task ReconcileAsync(ResourceKey key, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string result;
        using (logger.BeginScope("{Kind} {Namespace}/{Name}", key.Kind, key.Namespace, key.Name))
        {
            try
            {
                result = key.Kind switch
                {
                    "Remote" => await ReconcileAsync<RemoteSpec, RemoteStatus, Remote>(key, Cache.Remotes, PackyardKinds.Remote,
                        ReconcileRemoteAsync, token => services.Catalog.DeleteRemoteAsync(key.Namespace, key.Name, token), finalizer: false, cancellationToken),
                    "Repository" => await ReconcileAsync<RepositorySpec, RepositoryStatus, Repository>(key, Cache.Repositories, PackyardKinds.Repository,
                        SyncAsync, async token =>
                        {
                            // Its sync stops at once, not when the worker next heartbeats or finishes.
                            await services.Syncs.CancelAsync($"{key.Namespace}/{key.Name}", "canceled: the Repository was deleted", token);
                            // Detached and kept for the deletion grace period; the Deleted event says until when.
                            await repositoryFinalizer.DeleteAsync(key.Namespace, key.Name, token);
                            distributionCache?.Invalidate();
                        }, finalizer: true, cancellationToken),
                    "Distribution" => await ReconcileAsync<DistributionSpec, DistributionStatus, Distribution>(key, Cache.DistributionInformer,
                        PackyardKinds.Distribution, distributions.ReconcileAsync, async token =>
                        {
                            await services.Catalog.DeleteDistributionAsync(key.Namespace, key.Name, token);
                            distributionCache?.Invalidate();
                        }, finalizer: true, cancellationToken),
                    "Promotion" => await ReconcileAsync<PromotionSpec, PromotionStatus, Promotion>(key, Cache.Promotions, PackyardKinds.Promotion,
                        promotions.ReconcileAsync, cleanup: null, finalizer: false, cancellationToken),
                    _ => "unknown",
                };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                result = "canceled";
            }
            catch (KubernetesConflictException)
            {
                // Someone else changed the object between our read and write: the watch brings the new state; try again.
                queue.AddRateLimited(key);
                result = "conflict";
            }
            catch (Exception e)
            {
                // The API, the database or the store is unavailable, or a step's unexpected failure could not be written to status:
                // nothing half-written is visible; retry with backoff. No input ends a reconcile worker.
                OperatorLog.ReconcileFailed(logger, key.Kind, key.Namespace, key.Name, e);
                queue.AddRateLimited(key);
                result = "error";
            }
        }

        metrics.Reconciled(key.Kind, result, clock.Elapsed);
        OperatorLog.Reconciled(logger, key.Kind, key.Namespace, key.Name, result, clock.ElapsedMilliseconds);
    }

    /// <summary>
    /// The skeleton every kind shares: a deleted object is cleaned up; a deleting one is cleaned up and its finalizer removed;
    /// a live one gets the finalizer first (Repository, Distribution), is reconciled on a copy of the cached object, and its
    /// status is written with a merge patch on the status subresource only when it differs from the cached status.
    /// </summary>
    private async Task<string> ReconcileAsync<TSpec, TStatus, T>(
        ResourceKey key, Informer<T> informer, ResourceKind<T> kind, Func<T, CancellationToken, Task<StepResult>> reconcile,
        Func<CancellationToken, Task>? cleanup, bool finalizer, CancellationToken cancellationToken)
        where TSpec : new()
        where TStatus : ResourceStatus, new()
        where T : PackyardResource<TSpec, TStatus>
    {
        if (!informer.TryGet(key.Namespace, key.Name, out var cached) || cached is null)
        {
            // Gone (deleted without our finalizer, or after it was removed): the engine side goes too; cleanup is idempotent.
            if (cleanup is not null)
            {
                await cleanup(cancellationToken);
            }

            return "deleted";
        }

        var item = ObjectCopies.Clone(cached);
        var finalizers = item.Metadata.Finalizers ?? [];
        if (item.Metadata.DeletionTimestamp is not null)
        {
            if (finalizer && finalizers.Contains(Finalizer))
            {
                await cleanup!(cancellationToken);
                try
                {
                    // Commit point: the engine side is gone, so the finalizer must go even if shutdown was requested meanwhile.
                    await SetFinalizersAsync(kind, item, finalizers.Where(f => f != Finalizer).ToList(), CancellationToken.None);
                }
                catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    // A stale cache (e.g. while relisting after a 410) had the object still deleting: it is gone already.
                    return "deleted";
                }

                OperatorLog.Finalized(logger, key.Kind, key.Namespace, key.Name);
            }

            return "deleted";
        }

        if (finalizer && !finalizers.Contains(Finalizer))
        {
            var updated = await SetFinalizersAsync(kind, item, [.. finalizers, Finalizer], cancellationToken);
            item.Metadata.Finalizers = updated.Metadata.Finalizers;
            item.Metadata.ResourceVersion = updated.Metadata.ResourceVersion;
        }

        var result = await reconcile(item, cancellationToken);
        if (await statusPatcher.PatchAsync(kind, key.Namespace, key.Name, ObjectCopies.Status(cached), ObjectCopies.Status(item),
                written => informer.Written(cached, written), cancellationToken) == StatusPatchResult.NotFound)
        {
            // Deleted while we reconciled: the watch brings the deletion.
            return "deleted";
        }

        Schedule(key, result);
        return result.Outcome.ToString().ToLowerInvariant();
    }

    /// <summary>Writes metadata.finalizers with the resourceVersion read, so a concurrent change is a 409 rather than lost.</summary>
    private Task<T> SetFinalizersAsync<T>(ResourceKind<T> kind, T item, List<string> finalizers, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var metadata = item.Metadata;
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
                ["resourceVersion"] = metadata.ResourceVersion,
            },
        };
        return client.PatchAsync(kind, metadata.NamespaceProperty, metadata.Name!, KubernetesPatch.Merge(patch), null, cancellationToken);
    }

    /// <summary>A Remote reconcile with a relative <c>file:</c> URL resolved against the working directory (status lands on the original).</summary>
    private async Task<StepResult> ReconcileRemoteAsync(Remote remote, CancellationToken cancellationToken)
    {
        var resolved = ResourceCache.WithAbsoluteFileUrl(remote);
        var result = await remotes.ReconcileAsync(resolved, cancellationToken);
        remote.Status = resolved.Status;
        return result;
    }

    /// <summary>A Repository reconcile, measured: sync durations by result and bytes downloaded.</summary>
    private async Task<StepResult> SyncAsync(Repository repository, CancellationToken cancellationToken)
    {
        var before = repository.Status?.LastSync?.CompletionTime;
        var result = await repositories.ReconcileAsync(repository, new DownloadMeter(metrics), cancellationToken);
        if (repository.Status?.LastSync is { CompletionTime: { } completed, StartTime: { } started } sync && completed != before)
        {
            metrics.SyncFinished(sync.Result.ToString()?.ToLowerInvariant() ?? "unknown", completed - started);
        }

        return result;
    }
}
