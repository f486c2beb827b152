using Packyard.ControllerRuntime;

namespace Packyard.Tests.Kubernetes.Operator;

public sealed class WorkQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_key_added_twice_while_queued_is_taken_once()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");

        Assert.Equal(2, queue.Count);
        Assert.Equal("a", await queue.TakeAsync(new CancellationTokenSource(Patience).Token));
        Assert.Equal("b", await queue.TakeAsync(new CancellationTokenSource(Patience).Token));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_key_added_while_processing_is_queued_again_only_after_Done()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        queue.Add("a");
        var key = await queue.TakeAsync(new CancellationTokenSource(Patience).Token);

        queue.Add("a");
        Assert.Equal(0, queue.Count);

        queue.Done(key);
        Assert.Equal(1, queue.Count);
        Assert.Equal("a", await queue.TakeAsync(new CancellationTokenSource(Patience).Token));
    }

    [Fact]
    public void Rate_limited_adds_back_off_exponentially_per_key_up_to_the_cap_until_forgotten()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500));

        var delays = Enumerable.Range(0, 5).Select(_ => queue.AddRateLimited("a")).ToList();
        var other = queue.AddRateLimited("b");
        queue.Forget("a");

        Assert.Equal([100, 200, 400, 500, 500], delays.Select(d => (int)d.TotalMilliseconds));
        Assert.Equal(100, (int)other.TotalMilliseconds);
        Assert.Equal(0, queue.Failures("a"));
        Assert.Equal(100, (int)queue.AddRateLimited("a").TotalMilliseconds);
    }

    [Fact]
    public async Task Add_after_queues_the_key_when_the_delay_has_passed()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        var started = DateTimeOffset.UtcNow;

        queue.AddAfter("later", TimeSpan.FromMilliseconds(200));

        Assert.Equal(0, queue.Count);
        Assert.Equal("later", await queue.TakeAsync(new CancellationTokenSource(Patience).Token));
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(190));
    }

    [Fact]
    public void Retries_beyond_the_overall_burst_wait_for_the_token_bucket_whatever_the_key()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1), retriesPerSecond: 10, burst: 2);

        var delays = new[] { "a", "b", "c", "d" }.Select(queue.AddRateLimited).ToList();

        Assert.All(delays[..2], d => Assert.True(d < TimeSpan.FromMilliseconds(5), $"{d.TotalMilliseconds} ms within the burst"));
        Assert.InRange(delays[2].TotalMilliseconds, 90, 110);
        Assert.InRange(delays[3].TotalMilliseconds, 190, 210);
    }

    [Fact]
    public async Task Run_processes_each_key_once_with_bounded_concurrency_and_stops_taking_work_when_cancelled()
    {
        using var queue = new WorkQueue<int>(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
        using var stop = new CancellationTokenSource();
        var running = 0;
        var peak = 0;
        var seen = new System.Collections.Concurrent.ConcurrentBag<int>();
        for (var i = 0; i < 20; i++)
        {
            queue.Add(i);
        }

        var run = queue.RunAsync(3, async (key, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(20, token);
            seen.Add(key);
            Interlocked.Decrement(ref running);
        }, stop.Token);
        while (seen.Count < 20)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await run.WaitAsync(Patience);
        queue.Add(99);

        Assert.Equal(Enumerable.Range(0, 20), seen.Order());
        Assert.InRange(peak, 2, 3);
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task A_process_that_throws_keeps_its_worker_and_the_key_is_retried_with_backoff_while_other_keys_go_on()
    {
        using var queue = new WorkQueue<string>(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        using var stop = new CancellationTokenSource();
        var poisonAttempts = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        var processed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var reported = new System.Collections.Concurrent.ConcurrentBag<(string Key, Type Exception)>();
        queue.Add("poison");

        // One worker only: if the exception ended it, nothing after the poison key would ever be processed.
        var run = queue.RunAsync(1, (key, _) =>
        {
            if (key == "poison")
            {
                poisonAttempts.Enqueue(DateTimeOffset.UtcNow);
                throw new OverflowException("TimeSpan overflowed because the duration is too long.");
            }

            processed.Add(key);
            return Task.CompletedTask;
        }, stop.Token, (key, e) => reported.Add((key, e.GetType())));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            queue.Add($"key{i}");
        }

        while ((poisonAttempts.Count < 4 || processed.Count < 10) && clock.Elapsed < Patience)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await run.WaitAsync(Patience);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"key{i}"), processed.Order(StringComparer.Ordinal));
        var attempts = poisonAttempts.ToArray();
        Assert.True(attempts.Length >= 4, $"the poison key was tried {attempts.Length} times in {clock.Elapsed}");
        var intervals = attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToArray();
        Assert.True(intervals[0] >= 90 && intervals[1] >= 180 && intervals[2] >= 360, $"retries wait 100, 200, 400 ms: {string.Join(", ", intervals)}");
        Assert.All(reported, r => Assert.Equal(("poison", typeof(OverflowException)), r));
        Assert.True(reported.Count >= 4);
        Assert.True(queue.Failures("poison") >= 4);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
