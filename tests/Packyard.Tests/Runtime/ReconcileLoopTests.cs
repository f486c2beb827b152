using Packyard.ControllerRuntime;

namespace Packyard.Tests.Runtime;

/// <summary>The shared loop's change dedup and scheduling, without Kubernetes, a manifests folder or a database.</summary>
public sealed class ReconcileLoopTests
{
    [Fact]
    public void A_change_queues_a_key_once_per_signature_and_a_gone_object_always()
    {
        using var loop = new ReconcileLoop<string>(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

        Assert.True(loop.Changed("a", "uid|1"));
        Assert.False(loop.Changed("a", "uid|1")); // a status-only change: same signature
        Assert.Equal(1, loop.Count);
        Assert.True(loop.Changed("a", "uid|2")); // a new generation (already queued: still one entry)
        Assert.Equal(1, loop.Count);
        Assert.True(loop.Changed("b", null)); // gone: reconciled (cleaned up) whatever was seen before
        Assert.Equal(2, loop.Count);
        Assert.True(loop.Changed("b", "uid|1")); // back after going: a new object
    }

    public static TheoryData<string, Requeue, int> Schedules() => new()
    {
        { "forget queues nothing", Requeue.Forget, 0 },
        { "now queues at once", Requeue.Now, 1 },
        { "after a delay queues nothing yet", Requeue.After(TimeSpan.FromMinutes(1)), 0 },
        { "after no delay queues at once", Requeue.After(TimeSpan.Zero), 1 },
        { "rate limited waits its backoff", Requeue.RateLimited, 0 },
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void A_requeue_is_carried_out(string description, Requeue requeue, int queuedAtOnce)
    {
        using var loop = new ReconcileLoop<string>(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
        loop.Schedule("a", requeue);
        Assert.True(queuedAtOnce == loop.Count, $"{description}: {loop.Count} queued");
    }

    [Fact]
    public async Task Keys_are_reconciled_once_each_requeued_as_asked_and_resynced()
    {
        using var loop = new ReconcileLoop<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        var reconciled = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var requeued = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        loop.Changed("a", "1");
        loop.Changed("b", "1");
        var run = loop.RunAsync(2, (key, _) =>
        {
            reconciled.Enqueue(key);
            // "a" asks to come back at once, once; "b" is done; only the resync brings "c".
            var again = key == "a" && Interlocked.Increment(ref requeued) == 1;
            return Task.FromResult(again ? Requeue.Now : Requeue.Forget);
        }, () => ["c"], TimeSpan.FromMilliseconds(300), stop.Token);

        while (!reconciled.Contains("c") && !stop.IsCancellationRequested)
        {
            await Task.Delay(20);
        }

        var seen = reconciled.ToList();
        stop.Cancel();
        await run;
        Assert.Contains("c", seen); // only the resync knows "c"
        var beforeResync = seen.TakeWhile(k => k != "c").ToList();
        Assert.Equal(2, beforeResync.Count(k => k == "a"));
        Assert.Equal(1, beforeResync.Count(k => k == "b"));
    }
}
