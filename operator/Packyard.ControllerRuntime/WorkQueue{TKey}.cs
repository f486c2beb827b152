namespace Packyard.ControllerRuntime;

/// <summary>
/// A controller work queue with client-go's semantics: a key added while queued is not queued twice; a key added
/// while being processed is queued again when <see cref="Done"/> is called, so one key is never processed by two
/// workers at once. <see cref="AddRateLimited"/> delays a key by base × 2^failures (capped) until <see cref="Forget"/>, and by
/// an overall token bucket (client-go's default: 10 per second, burst 100), whichever is longer, so a mass failure (the API
/// or the database down) does not turn into a retry storm. Our own: KubernetesClient has no work queue.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable
    where TKey : notnull
{
    private readonly Lock gate = new();
    private readonly Queue<TKey> queue = new();
    private readonly HashSet<TKey> dirty = [];
    private readonly HashSet<TKey> processing = [];
    private readonly Dictionary<TKey, int> failures = [];
    private readonly HashSet<ITimer> timers = [];
    private readonly SemaphoreSlim available = new(0);
    private readonly TimeProvider time;
    private readonly TimeSpan baseDelay;
    private readonly TimeSpan maxDelay;
    private readonly double retriesPerSecond;
    private readonly int burst;
    private double tokens;
    private long refilled;
    private bool disposed;

    public WorkQueue(TimeSpan baseDelay, TimeSpan maxDelay, TimeProvider? time = null, double retriesPerSecond = 10, int burst = 100)
    {
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.time = time ?? TimeProvider.System;
        this.retriesPerSecond = retriesPerSecond;
        this.burst = burst;
        tokens = burst;
        refilled = this.time.GetTimestamp();
    }

    /// <summary>Keys waiting to be taken.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return queue.Count;
            }
        }
    }

    public void Add(TKey key)
    {
        lock (gate)
        {
            if (disposed || !dirty.Add(key) || processing.Contains(key))
            {
                return;
            }

            queue.Enqueue(key);
        }

        available.Release();
    }

    /// <summary>Adds the key after <paramref name="delay"/> (requeue-after, cron schedules).</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            ITimer? timer = null;
            timer = time.CreateTimer(_ =>
            {
                lock (gate)
                {
                    timers.Remove(timer!);
                }

                timer!.Dispose();
                Add(key);
            }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            timers.Add(timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Adds the key after its per-key exponential backoff and counts a failure.</summary>
    public TimeSpan AddRateLimited(TKey key)
    {
        TimeSpan delay;
        lock (gate)
        {
            var count = failures.GetValueOrDefault(key);
            failures[key] = count + 1;
            var ticks = baseDelay.Ticks * Math.Pow(2, Math.Min(count, 30));
            delay = ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);

            var now = time.GetTimestamp();
            tokens = Math.Min(burst, tokens + (time.GetElapsedTime(refilled, now).TotalSeconds * retriesPerSecond));
            refilled = now;
            tokens -= 1;
            if (tokens < 0)
            {
                var overall = TimeSpan.FromSeconds(-tokens / retriesPerSecond);
                delay = overall > delay ? overall : delay;
            }
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Resets the key's backoff (after a successful reconcile).</summary>
    public void Forget(TKey key)
    {
        lock (gate)
        {
            failures.Remove(key);
        }
    }

    public int Failures(TKey key)
    {
        lock (gate)
        {
            return failures.GetValueOrDefault(key);
        }
    }

    /// <summary>Waits for the next key; call <see cref="Done"/> when it has been processed.</summary>
    public async Task<TKey> TakeAsync(CancellationToken cancellationToken)
    {
        await available.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            var key = queue.Dequeue();
            processing.Add(key);
            dirty.Remove(key);
            return key;
        }
    }

    public void Done(TKey key)
    {
        lock (gate)
        {
            processing.Remove(key);
            if (!dirty.Contains(key))
            {
                return;
            }

            queue.Enqueue(key);
        }

        available.Release();
    }

    /// <summary>
    /// Runs <paramref name="process"/> for queued keys with at most <paramref name="workers"/> at once until <paramref name="stopping"/>
    /// is cancelled: then no key is taken any more and in-flight work sees the same cancellation. Whatever <paramref name="process"/>
    /// throws ends neither the worker nor the queue: the key is retried with its backoff and <paramref name="failed"/> is told.
    /// </summary>
    public Task RunAsync(int workers, Func<TKey, CancellationToken, Task> process, CancellationToken stopping, Action<TKey, Exception>? failed = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        return Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!stopping.IsCancellationRequested)
            {
                TKey key;
                try
                {
                    key = await TakeAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    await process(key, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // A poison input must not take a worker with it: the key is tried again later, every other key goes on.
                    AddRateLimited(key);
                    Report(failed, key, e);
                }
                finally
                {
                    Done(key);
                }
            }
        }, CancellationToken.None)));
    }

    private static void Report(Action<TKey, Exception>? failed, TKey key, Exception exception)
    {
        try
        {
            failed?.Invoke(key, exception);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failing report must not end the worker either.
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            foreach (var timer in timers)
            {
                timer.Dispose();
            }

            timers.Clear();
        }

        available.Dispose();
    }
}
