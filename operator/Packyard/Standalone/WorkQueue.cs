using System.Threading.Channels;

namespace Packyard.Standalone;

/// <summary>
/// A work queue of resource keys with per-key dedup: a key is queued at most once, is processed by at most one
/// worker at a time, and a key enqueued while it is processed runs again afterwards.
/// </summary>
public sealed class WorkQueue
{
    private readonly Channel<ResourceKey> channel = Channel.CreateUnbounded<ResourceKey>();
    private readonly HashSet<ResourceKey> queued = [];
    private readonly HashSet<ResourceKey> processing = [];
    private readonly HashSet<ResourceKey> again = [];
    private readonly Lock gate = new();

    public int Depth
    {
        get
        {
            lock (gate)
            {
                return queued.Count;
            }
        }
    }

    public void Enqueue(ResourceKey key)
    {
        lock (gate)
        {
            if (processing.Contains(key))
            {
                again.Add(key);
                return;
            }

            if (!queued.Add(key))
            {
                return;
            }
        }

        channel.Writer.TryWrite(key);
    }

    /// <summary>Enqueues after a delay (requeue-after, backoff), unless stopping.</summary>
    public void EnqueueAfter(ResourceKey key, TimeSpan delay, CancellationToken stopping)
    {
        if (delay <= TimeSpan.Zero)
        {
            Enqueue(key);
            return;
        }

        _ = Task.Delay(delay, stopping).ContinueWith(t =>
        {
            if (!t.IsCanceled)
            {
                Enqueue(key);
            }
        }, TaskScheduler.Default);
    }

    /// <summary>Runs <paramref name="process"/> for queued keys with at most <paramref name="workers"/> at once, until stopped.</summary>
    public Task RunAsync(int workers, Func<ResourceKey, CancellationToken, Task> process, CancellationToken stopping) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            await foreach (var key in channel.Reader.ReadAllAsync(stopping))
            {
                lock (gate)
                {
                    queued.Remove(key);
                    processing.Add(key);
                }

                try
                {
                    await process(key, stopping);
                }
                finally
                {
                    bool rerun;
                    lock (gate)
                    {
                        processing.Remove(key);
                        rerun = again.Remove(key);
                    }

                    if (rerun)
                    {
                        Enqueue(key);
                    }
                }
            }
        }, stopping)));
}
