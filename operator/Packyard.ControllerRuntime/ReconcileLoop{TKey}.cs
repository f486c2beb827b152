using System.Collections.Concurrent;

namespace Packyard.ControllerRuntime;

/// <summary>
/// The reconcile loop every controller shares, whatever its kinds and wherever its objects come from: a <see cref="WorkQueue{TKey}"/>
/// (per-key dedup, one worker per key, backoff), per-key dedup of change notifications by a change signature (a change that
/// leaves the signature alone, such as a controller's own status write, does not reconcile the key again), the requeue each
/// reconcile asks for, and a resync that queues every key once per period.
/// </summary>
public sealed class ReconcileLoop<TKey> : IDisposable
    where TKey : notnull
{
    private readonly WorkQueue<TKey> queue;
    private readonly ConcurrentDictionary<TKey, string> signatures = new();
    private readonly TimeProvider time;

    public ReconcileLoop(TimeSpan retryBaseDelay, TimeSpan retryMaxDelay, TimeProvider? time = null)
    {
        this.time = time ?? TimeProvider.System;
        queue = new WorkQueue<TKey>(retryBaseDelay, retryMaxDelay, this.time);
    }

    /// <summary>Keys waiting to be taken.</summary>
    public int Count => queue.Count;

    /// <summary>Queues the key (a trigger: an upload, a finished task, a dependent).</summary>
    public void Add(TKey key) => queue.Add(key);

    /// <summary>
    /// The key's object changed; <paramref name="signature"/> says what makes it worth reconciling (null: it is gone). Queues the
    /// key unless its signature is the one already seen; returns whether it did.
    /// </summary>
    public bool Changed(TKey key, string? signature)
    {
        if (signature is null)
        {
            signatures.TryRemove(key, out _);
            queue.Add(key);
            return true;
        }

        if (signatures.TryGetValue(key, out var previous) && previous == signature)
        {
            return false;
        }

        signatures[key] = signature;
        queue.Add(key);
        return true;
    }

    /// <summary>Carries out a reconcile's <paramref name="requeue"/>.</summary>
    public void Schedule(TKey key, Requeue requeue)
    {
        switch (requeue.Kind)
        {
            case RequeueKind.Now:
                queue.Add(key);
                break;
            case RequeueKind.After:
                queue.Forget(key);
                queue.AddAfter(key, requeue.Delay);
                break;
            case RequeueKind.RateLimited:
                queue.AddRateLimited(key);
                break;
            default:
                queue.Forget(key);
                break;
        }
    }

    /// <summary>
    /// Reconciles queued keys with at most <paramref name="workers"/> at once, and queues every key of <paramref name="all"/> each
    /// <paramref name="resync"/>, until <paramref name="stopping"/>. Whatever <paramref name="reconcile"/> throws is retried with backoff
    /// and told to <paramref name="failed"/>; <paramref name="scheduled"/> is told each key once its requeue is scheduled.
    /// </summary>
    public Task RunAsync(
        int workers, Func<TKey, CancellationToken, Task<Requeue>> reconcile, Func<IEnumerable<TKey>> all, TimeSpan resync,
        CancellationToken stopping, Action<TKey, Exception>? failed = null, Action<TKey>? scheduled = null)
    {
        ArgumentNullException.ThrowIfNull(reconcile);
        ArgumentNullException.ThrowIfNull(all);
        return Task.WhenAll(
            queue.RunAsync(workers, async (key, token) =>
            {
                Schedule(key, await reconcile(key, token).ConfigureAwait(false));
                scheduled?.Invoke(key);
            }, stopping, failed),
            ResyncAsync(all, resync, stopping));
    }

    /// <summary>Every key is reconciled at least once per resync period (Flux's interval), even when nothing changed.</summary>
    private async Task ResyncAsync(Func<IEnumerable<TKey>> all, TimeSpan resync, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(resync, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                foreach (var key in all())
                {
                    queue.Add(key);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => queue.Dispose();
}
