using Packyard.Operator;

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
}
