using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Packyard.Api.Resources;
using Packyard.Kubernetes;
using Packyard.Kubernetes.Models;

namespace Packyard.Operator;

/// <summary>
/// Leader election on a Lease, as client-go's leaderelection does it: acquire when the lease is free or expired
/// (holder's renewTime + leaseDuration in the past), renew every retry period, stop leading when renewal fails for the
/// renew deadline, and release the lease on graceful shutdown so another replica takes over at once. Writes use the
/// lease's resourceVersion, so two replicas can never both win the same round.
/// </summary>
public sealed class LeaderElector(KubernetesClient client, LeaderElectionOptions options, ILogger<LeaderElector>? logger = null, TimeProvider? time = null)
{
    private readonly ILogger logger = logger ?? NullLogger<LeaderElector>.Instance;
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public bool IsLeader { get; private set; }

    /// <summary>
    /// Campaigns until cancelled; while leading runs <paramref name="lead"/> with a token cancelled when leadership is lost
    /// or on shutdown. After losing, campaigns again.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lead);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(options.RetryPeriod, clock, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            IsLeader = true;
            OperatorLog.LeaderAcquired(logger, options.Identity, options.Namespace, options.LeaseName);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
            await RenewUntilLostAsync(leading.Token).ConfigureAwait(false);
            IsLeader = false;
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The leading work ends by cancellation.
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // Commit point: hand the lease over even though shutdown was requested, so the next leader need not wait.
                await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                return;
            }

            OperatorLog.LeaderLost(logger, options.Identity, options.Namespace, options.LeaseName);
        }
    }

    private async Task RenewUntilLostAsync(CancellationToken cancellationToken)
    {
        var lastRenew = clock.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.RetryPeriod, clock, cancellationToken).ConfigureAwait(false);
                if (await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
                {
                    lastRenew = clock.GetUtcNow();
                }
                else if (clock.GetUtcNow() - lastRenew >= options.RenewDeadline || !await StillHolderAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutdown: the caller releases the lease.
                return;
            }
        }
    }

    private async Task<bool> StillHolderAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lease = await client.TryGetAsync(KubernetesKinds.Lease, options.Namespace, options.LeaseName, cancellationToken).ConfigureAwait(false);
            return lease?.Spec?.HolderIdentity == options.Identity;
        }
        catch (Exception exception) when (exception is KubernetesApiException or HttpRequestException)
        {
            return true;
        }
    }

    /// <summary>One round: create the lease, renew it, or take it over when expired. False when another replica holds it.</summary>
    internal async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var duration = (int)Math.Ceiling(options.LeaseDuration.TotalSeconds);
        try
        {
            var lease = await client.TryGetAsync(KubernetesKinds.Lease, options.Namespace, options.LeaseName, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                await client.CreateAsync(KubernetesKinds.Lease, new Lease
                {
                    Metadata = new ObjectMeta { Name = options.LeaseName, Namespace = options.Namespace },
                    Spec = new LeaseSpec { HolderIdentity = options.Identity, LeaseDurationSeconds = duration, AcquireTime = now, RenewTime = now, LeaseTransitions = 0 },
                }, cancellationToken).ConfigureAwait(false);
                return true;
            }

            var spec = lease.Spec ??= new LeaseSpec();
            var held = !string.IsNullOrEmpty(spec.HolderIdentity) && spec.HolderIdentity != options.Identity;
            var expires = (spec.RenewTime ?? DateTimeOffset.MinValue) + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? duration);
            if (held && expires > now)
            {
                return false;
            }

            if (spec.HolderIdentity != options.Identity)
            {
                spec.HolderIdentity = options.Identity;
                spec.AcquireTime = now;
                spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
            }

            spec.LeaseDurationSeconds = duration;
            spec.RenewTime = now;
            await client.ReplaceAsync(KubernetesKinds.Lease, lease, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (KubernetesConflictException)
        {
            return false;
        }
        catch (Exception exception) when (exception is KubernetesApiException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            OperatorLog.LeaderElectionFailed(logger, exception.Message);
            return false;
        }
    }

    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lease = await client.TryGetAsync(KubernetesKinds.Lease, options.Namespace, options.LeaseName, cancellationToken).ConfigureAwait(false);
            if (lease?.Spec is { } spec && spec.HolderIdentity == options.Identity)
            {
                spec.HolderIdentity = null;
                spec.LeaseDurationSeconds = 1;
                spec.RenewTime = clock.GetUtcNow();
                await client.ReplaceAsync(KubernetesKinds.Lease, lease, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is KubernetesApiException or HttpRequestException)
        {
            OperatorLog.LeaderElectionFailed(logger, exception.Message);
        }
    }
}
