using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Packyard.ControllerRuntime;

/// <summary>
/// Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it: acquire when the lease is free or
/// expired (holder's renewTime + leaseDuration in the past), renew every retry period, stop leading when renewal fails for
/// the renew deadline, and release the lease on graceful shutdown so another replica takes over at once. Writes use the
/// lease's resourceVersion, so two replicas can never both win the same round. The Lease is the library's
/// <see cref="V1Lease"/>, read and written by its typed API and serializer, so renewTime and acquireTime go out as
/// MicroTime (RFC 3339 with six fractional digits), the only form the API server accepts.
/// Our own rather than the library's k8s.LeaderElection.LeaderElector: that one calls its OnStartedLeading/OnStoppedLeading
/// callbacks synchronously (the leading work here is a long async task that must be awaited and cancelled) and does not
/// release the Lease when it is cancelled, so after a SIGTERM the next replica would wait a whole lease duration.
/// </summary>
public sealed class LeaderElector(IKubernetes client, LeaderElectionOptions options, ILogger<LeaderElector>? logger = null, TimeProvider? time = null)
{
    private readonly ILogger logger = logger ?? NullLogger<LeaderElector>.Instance;
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public bool IsLeader { get; private set; }

    /// <summary>
    /// Campaigns until cancelled; while leading runs <paramref name="lead"/> with a token cancelled when leadership is lost
    /// or on shutdown. After losing, campaigns again. On cancellation the lease is released before this returns.
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
            RuntimeLog.LeaderAcquired(logger, options.Identity, options.Namespace, options.LeaseName);
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

            RuntimeLog.LeaderLost(logger, options.Identity, options.Namespace, options.LeaseName);
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
            var lease = await TryGetAsync(cancellationToken).ConfigureAwait(false);
            return lease?.Spec?.HolderIdentity == options.Identity;
        }
        catch (Exception exception) when (exception is HttpOperationException or HttpRequestException)
        {
            return true;
        }
    }

    /// <summary>One round: create the lease, renew it, or take it over when expired. False when another replica holds it.</summary>
    internal async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = MicroTime(clock.GetUtcNow());
        var duration = (int)Math.Ceiling(options.LeaseDuration.TotalSeconds);
        try
        {
            var lease = await TryGetAsync(cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
                {
                    ApiVersion = "coordination.k8s.io/v1",
                    Kind = "Lease",
                    Metadata = new V1ObjectMeta { Name = options.LeaseName, NamespaceProperty = options.Namespace },
                    Spec = new V1LeaseSpec { HolderIdentity = options.Identity, LeaseDurationSeconds = duration, AcquireTime = now, RenewTime = now, LeaseTransitions = 0 },
                }, options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }

            var spec = lease.Spec ??= new V1LeaseSpec();
            var held = !string.IsNullOrEmpty(spec.HolderIdentity) && spec.HolderIdentity != options.Identity;
            var renewed = spec.RenewTime is { } renewTime ? new DateTimeOffset(DateTime.SpecifyKind(renewTime.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.MinValue;
            var expires = renewed + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? duration);
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
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, options.Namespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException exception) when (exception.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            // Another replica wrote the lease first (create or update with a stale resourceVersion).
            return false;
        }
        catch (Exception exception) when (exception is HttpOperationException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            RuntimeLog.LeaderElectionFailed(logger, Describe(exception));
            return false;
        }
    }

    private async Task<V1Lease?> TryGetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await client.CoordinationV1.ReadNamespacedLeaseAsync(options.LeaseName, options.Namespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpOperationException exception) when (exception.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lease = await TryGetAsync(cancellationToken).ConfigureAwait(false);
            if (lease?.Spec is { } spec && spec.HolderIdentity == options.Identity)
            {
                spec.HolderIdentity = null;
                spec.LeaseDurationSeconds = 1;
                spec.RenewTime = MicroTime(clock.GetUtcNow());
                await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, options.LeaseName, options.Namespace, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is HttpOperationException or HttpRequestException)
        {
            RuntimeLog.LeaderElectionFailed(logger, Describe(exception));
        }
    }

    /// <summary>
    /// The time as a UTC DateTime cut to whole microseconds (what a MicroTime keeps). The library writes a DateTime with no
    /// fractional second as plain RFC 3339 (no fraction), which a MicroTime field does not accept, so a time that falls on
    /// a whole second is moved one microsecond on.
    /// </summary>
    internal static DateTime MicroTime(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var micro = new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
        return micro.Ticks % TimeSpan.TicksPerSecond == 0 ? micro.AddTicks(10) : micro;
    }

    private static string Describe(Exception exception) => exception is HttpOperationException { Response: { } response } http
        ? $"{(int)response.StatusCode} {response.ReasonPhrase}: {Truncate(response.Content)}"
        : exception.Message;

    private static string Truncate(string? text) => text is null ? "" : text.Length > 500 ? text[..500] : text;
}
