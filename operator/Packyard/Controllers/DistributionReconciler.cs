using System.Security.Cryptography;
using System.Text;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Engine.Tasks;

namespace Packyard.Controllers;

/// <summary>
/// Reconciles a Distribution: resolve its Repository (and pull-through Remote), hash its content guard, claim its
/// base path (a conflict stalls), and report the URL and served version.
/// </summary>
public sealed class DistributionReconciler(ReconcileServices services, IResourceLookup lookup)
{
    public async Task<StepResult> ReconcileAsync(Distribution distribution, CancellationToken cancellationToken)
    {
        var result = await ReconcileSteps.GuardAsync(token => ApplyAsync(distribution, token), cancellationToken);
        ReconcileSummarizer.Summarize(distribution, result, services.Time.GetUtcNow(), services.Events);
        return result;
    }

    private async Task<StepResult> ApplyAsync(Distribution distribution, CancellationToken cancellationToken)
    {
        var ns = distribution.Namespace;
        var spec = distribution.Spec;
        var status = distribution.Status ??= new DistributionStatus();
        var repository = lookup.GetRepository(ns, spec.RepositoryRef.Name);
        var repositoryId = repository is null ? null : await services.Catalog.FindRepositoryAsync(ns, repository.Name, cancellationToken);
        if (repository is null || repositoryId is null)
        {
            return StepResult.Wait(Reasons.ReferenceNotFound, $"spec.repositoryRef: Repository {ns}/{spec.RepositoryRef.Name} not found", TimeSpan.FromSeconds(10));
        }

        ContentGuardRecord? guard;
        long? pullThroughRemoteId = null;
        TimeSpan? tagTtl = null;
        try
        {
            guard = Guard(distribution);
            if (spec.PullThrough is { } pullThrough)
            {
                tagTtl = string.IsNullOrEmpty(pullThrough.TagTTL) ? null : GoDuration.Parse(pullThrough.TagTTL);
                var remote = lookup.GetRemote(ns, pullThrough.RemoteRef.Name);
                if (remote is null)
                {
                    return StepResult.Wait(Reasons.ReferenceNotFound, $"spec.pullThrough.remoteRef: Remote {ns}/{pullThrough.RemoteRef.Name} not found", TimeSpan.FromSeconds(10));
                }

                pullThroughRemoteId = await services.Remotes.UpsertRemoteAsync(RemoteSettingsBuilder.Build(remote, lookup), cancellationToken);
            }
        }
        catch (SecretReferenceException e)
        {
            return StepResult.Stalled(e.Reason, e.Message);
        }
        catch (FormatException e)
        {
            return StepResult.Stalled(Reasons.InvalidSpec, e.Message);
        }

        try
        {
            await services.Distributions.UpsertDistributionAsync(new DistributionRecord(ns, distribution.Name, spec.BasePath, repositoryId.Value, spec.Version,
                spec.Checkpoints, guard, pullThroughRemoteId, tagTtl), cancellationToken);
        }
        catch (BasePathConflictException e)
        {
            return StepResult.Stalled(Reasons.BasePathConflict, e.Message);
        }

        status.Url = services.ContentUrl.For(spec.BasePath);
        var state = await services.Catalog.GetRepositoryStateAsync(repositoryId.Value, int.MaxValue, cancellationToken);
        if (spec.Version is { } pinned)
        {
            if (state.Versions.All(v => v.Number != pinned))
            {
                return StepResult.Stalled(Reasons.VersionNotFound, $"spec.version: Repository {repository.Name} has no version {pinned}");
            }

            // The pinned version is published by a worker (a publish task), and again when the Repository's spec.publish changed;
            // served once its publication exists. Without its signing key, whatever publication it has is served.
            var finished = await services.Tasks.TakeFinishedPublishAsync(repositoryId.Value, pinned, cancellationToken);
            PublishOptions? options = null;
            SecretReferenceException? unreadable = null;
            try
            {
                options = PublishOptionsBuilder.Build(repository, lookup);
            }
            catch (SecretReferenceException e)
            {
                unreadable = e;
            }

            var fingerprint = options is null ? null : PublishOptionsFingerprint.Of(options);
            if (!await services.Catalog.IsPublishedAsync(repositoryId.Value, pinned, fingerprint, cancellationToken))
            {
                var served = fingerprint is not null && await services.Catalog.IsPublishedAsync(repositoryId.Value, pinned, null, cancellationToken);
                status.ServedVersion = served ? pinned : null;
                if (finished is { Succeeded: false } failed)
                {
                    return StepResult.Retry(failed.Reason is null or Reasons.UnexpectedError ? Reasons.PublishFailed : failed.Reason,
                        $"Repository {repository.Name}: {UrlSanitizer.Sanitize(failed.Message ?? $"publishing version {pinned} failed")}");
                }

                var open = await services.Tasks.FindOpenAsync(TaskKinds.Publish, TaskQueue.PublishKey(repositoryId.Value, pinned), cancellationToken);
                if (open.LastOrDefault() is { } pending)
                {
                    return RepositoryReconciler.PublishPending(pending);
                }

                if (unreadable is not null)
                {
                    return StepResult.Stalled(unreadable.Reason, $"Repository {repository.Name}: {unreadable.Message}");
                }

                var args = PublishOptionsBuilder.TaskArgs(repository, options!, services.Secrets, pinned);
                return RepositoryReconciler.PublishPending(
                    await services.Tasks.EnqueuePublishAsync(repositoryId.Value, args, $"Distribution/{ns}/{distribution.Name}", cancellationToken));
            }

            status.ServedVersion = pinned;
        }
        else if (state.LatestPublication is { } publication)
        {
            status.ServedVersion = publication.Version;
        }
        else
        {
            status.ServedVersion = null;
            return StepResult.Wait(Reasons.WaitingForPublication, $"Repository {repository.Name} has no publication yet", TimeSpan.FromSeconds(5));
        }

        return StepResult.Done(Reasons.Succeeded, $"serving version {status.ServedVersion} at {status.Url}");
    }

    /// <summary>Hashes the guard's Secret: basic-auth entries are user: password pairs; token entries are tokens.</summary>
    private ContentGuardRecord? Guard(Distribution distribution)
    {
        if (distribution.Spec.ContentGuard is not { } guard)
        {
            return null;
        }

        // A salt fixed per distribution keeps the stored record stable across reconciles (no spurious updates).
        var salt = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"packyard-guard/{distribution.Namespace}/{distribution.Name}")))[..32];
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var tokens = new List<string>();
        if (guard.BasicAuthSecretRef is { } basic)
        {
            foreach (var (user, password) in SecretResolver.Entries(lookup, distribution.Namespace, basic, "spec.contentGuard.basicAuthSecretRef"))
            {
                users[user] = Encoding.UTF8.GetString(password);
            }
        }

        if (guard.TokenSecretRef is { } token)
        {
            var entries = SecretResolver.Entries(lookup, distribution.Namespace, token, "spec.contentGuard.tokenSecretRef");
            tokens.AddRange(token.Key is { } key
                ? [SecretResolver.Text(lookup, distribution.Namespace, token, "spec.contentGuard.tokenSecretRef")]
                : entries.Values.Select(v => Encoding.UTF8.GetString(v).Trim()));
        }

        return ContentGuardRecord.Create(salt, users, tokens);
    }
}
