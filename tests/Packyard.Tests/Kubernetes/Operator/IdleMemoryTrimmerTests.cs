using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Packyard.Operator;

namespace Packyard.Tests.Kubernetes.Operator;

/// <summary>
/// The idle trimmer: a quiet interval after enough work trims once; busy or never-busy processes are left alone; a trim
/// makes the GC give back what it had committed for garbage.
/// </summary>
public sealed class IdleMemoryTrimmerTests
{
    private const long MB = 1 << 20;
    private static readonly IdleMemoryTrimOptions Options = new() { IdleAllocation = 4 * MB, IdleCpu = TimeSpan.FromMilliseconds(300), TrimAfterAllocating = 64 * MB };
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Busy = TimeSpan.FromSeconds(2);

    [Fact]
    public void A_quiet_interval_after_a_burst_trims_once_and_not_again_until_there_was_more_work()
    {
        var trimmer = Trimmer(Options);
        long total = 0;
        var cpu = TimeSpan.Zero;
        Assert.False(trimmer.Observe(total, cpu));
        Assert.False(trimmer.Observe(total += 500 * MB, cpu += Busy));
        Assert.True(trimmer.Observe(total += 1 * MB, cpu += Quiet));
        Assert.False(trimmer.Observe(total += 1 * MB, cpu += Quiet));
        Assert.False(trimmer.Observe(total, cpu));
        Assert.False(trimmer.Observe(total += 30 * MB, cpu += Busy));
        Assert.False(trimmer.Observe(total += 1 * MB, cpu += Quiet));
        Assert.False(trimmer.Observe(total += 40 * MB, cpu += Busy));
        Assert.True(trimmer.Observe(total, cpu += Quiet));
    }

    [Fact]
    public void A_process_that_keeps_allocating_is_never_interrupted_by_a_trim()
    {
        var trimmer = Trimmer(Options);
        long total = 0;
        var cpu = TimeSpan.Zero;
        trimmer.Observe(total, cpu);
        for (var i = 0; i < 100; i++)
        {
            Assert.False(trimmer.Observe(total += 5 * MB, cpu += Quiet));
        }
    }

    [Fact]
    public void A_busy_process_that_allocates_little_in_an_interval_is_not_trimmed_in_the_middle_of_its_work()
    {
        var trimmer = Trimmer(Options);
        long total = 0;
        var cpu = TimeSpan.Zero;
        trimmer.Observe(total, cpu);
        Assert.False(trimmer.Observe(total += 500 * MB, cpu += Busy));
        Assert.False(trimmer.Observe(total += 1 * MB, cpu += Busy));
        Assert.False(trimmer.Observe(total += 200 * MB, cpu += Busy));
        Assert.True(trimmer.Observe(total, cpu += Quiet));
    }

    [Fact]
    public void A_process_that_never_worked_is_not_trimmed()
    {
        var trimmer = Trimmer(Options);
        long total = 0;
        var cpu = TimeSpan.Zero;
        for (var i = 0; i < 100; i++)
        {
            Assert.False(trimmer.Observe(total += 512 * 1024, cpu += Quiet));
        }
    }

    [Fact]
    public void A_trim_gives_back_memory_the_gc_had_committed_for_garbage()
    {
        var kept = new List<byte[]>();
        for (var i = 0; i < 8192; i++)
        {
            kept.Add(new byte[8192]);
        }

        for (var i = 0; i < 32768; i++)
        {
            GC.KeepAlive(new byte[8192]);
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        var before = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        GC.KeepAlive(kept);
        kept = null;

        IdleMemoryTrimmer.Trim();

        var after = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Assert.True(after.Index > before.Index);
        Assert.True(after.Compacted);
        Assert.True(after.TotalCommittedBytes < before.TotalCommittedBytes,
            $"committed {after.TotalCommittedBytes / MB} MB after the trim, {before.TotalCommittedBytes / MB} MB before");
    }

    [Fact]
    public async Task The_running_service_trims_when_an_interval_is_quiet_after_work_and_says_so()
    {
        var logger = new RecordingLogger();
        var options = new IdleMemoryTrimOptions
        {
            Interval = TimeSpan.FromMilliseconds(50), IdleAllocation = long.MaxValue, IdleCpu = TimeSpan.MaxValue, TrimAfterAllocating = 1,
        };
        using var trimmer = new IdleMemoryTrimmer(options, TimeProvider.System, logger);
        var fullBefore = GC.CollectionCount(GC.MaxGeneration);
        await trimmer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 200 && logger.Messages.IsEmpty; i++)
        {
            GC.KeepAlive(new byte[64 * 1024]);
            await Task.Delay(20);
        }

        await trimmer.StopAsync(CancellationToken.None);
        Assert.True(logger.Messages.TryPeek(out var message), "no trim within 4 s");
        Assert.Matches("^Idle after work: memory trimmed from [0-9]+ MB to [0-9]+ MB resident$", message);
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > fullBefore);
    }

    [Fact]
    public async Task A_disabled_trimmer_never_trims()
    {
        var logger = new RecordingLogger();
        var options = new IdleMemoryTrimOptions
        {
            Enabled = false, Interval = TimeSpan.FromMilliseconds(20), IdleAllocation = long.MaxValue, IdleCpu = TimeSpan.MaxValue, TrimAfterAllocating = 1,
        };
        using var trimmer = new IdleMemoryTrimmer(options, TimeProvider.System, logger);
        await trimmer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            GC.KeepAlive(new byte[64 * 1024]);
            await Task.Delay(20);
        }

        await trimmer.StopAsync(CancellationToken.None);
        Assert.Empty(logger.Messages);
    }

    private static IdleMemoryTrimmer Trimmer(IdleMemoryTrimOptions options) => new(options, TimeProvider.System, new RecordingLogger());

    private sealed class RecordingLogger : ILogger<IdleMemoryTrimmer>
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));
    }
}
