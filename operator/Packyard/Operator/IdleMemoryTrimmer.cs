using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Packyard.Operator;

/// <summary>
/// Gives memory back to the operating system when the process goes idle after work. The GC keeps what it committed for a
/// burst (its gen0 budget and free regions: 20–30 MB of server GC after 1,000 reconciles) and glibc keeps freed pages in
/// its per-thread arenas; neither shrinks while nothing allocates, so a quiet operator would keep its peak. Every
/// <see cref="IdleMemoryTrimOptions.Interval"/> the trimmer looks at how much was allocated: after at least
/// <see cref="IdleMemoryTrimOptions.TrimAfterAllocating"/> since the last trim, an interval that allocated less than
/// <see cref="IdleMemoryTrimOptions.IdleAllocation"/> and used less CPU than <see cref="IdleMemoryTrimOptions.IdleCpu"/>
/// runs one aggressive (decommitting) full GC and malloc_trim. Both signals are needed: a busy process starved of CPU
/// allocates little, and one waiting on I/O uses little CPU. Busy processes are never interrupted; an idle one is trimmed
/// once per burst.
/// </summary>
public sealed partial class IdleMemoryTrimmer(IdleMemoryTrimOptions options, TimeProvider time, ILogger<IdleMemoryTrimmer> logger) : BackgroundService
{
    private long lastAllocated = -1;
    private TimeSpan lastCpu;
    private long allocatedSinceTrim;

    /// <summary>
    /// Takes the process's total allocated bytes and CPU time at the end of an interval; true when it is time to trim.
    /// </summary>
    internal bool Observe(long totalAllocated, TimeSpan totalCpu)
    {
        if (lastAllocated < 0)
        {
            (lastAllocated, lastCpu) = (totalAllocated, totalCpu);
            return false;
        }

        var allocated = Math.Max(0, totalAllocated - lastAllocated);
        var cpu = totalCpu - lastCpu;
        (lastAllocated, lastCpu) = (totalAllocated, totalCpu);
        allocatedSinceTrim += allocated;
        if (allocated >= options.IdleAllocation || cpu >= options.IdleCpu || allocatedSinceTrim < options.TrimAfterAllocating)
        {
            return false;
        }

        allocatedSinceTrim = 0;
        return true;
    }

    /// <summary>One aggressive full GC (it decommits free GC memory) and, on glibc, malloc_trim; returns RSS before and after.</summary>
    internal static (long Before, long After) Trim()
    {
        var before = Environment.WorkingSet;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // Not glibc (musl has no malloc_trim): only the GC's part is given back.
            }
        }

        return (before, Environment.WorkingSet);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        // Precise: the cheap count moves only as allocation contexts are retired, which can lag a whole interval.
        Observe(GC.GetTotalAllocatedBytes(precise: true), Environment.CpuUsage.TotalTime);
        using var timer = new PeriodicTimer(options.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (Observe(GC.GetTotalAllocatedBytes(precise: true), Environment.CpuUsage.TotalTime))
                {
                    var (before, after) = Trim();
                    Trimmed(logger, before >> 20, after >> 20);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    [LoggerMessage(EventId = 1130, Level = LogLevel.Information, Message = "Idle after work: memory trimmed from {BeforeMb} MB to {AfterMb} MB resident")]
    private static partial void Trimmed(ILogger logger, long beforeMb, long afterMb);
}

/// <summary>When <see cref="IdleMemoryTrimmer"/> trims.</summary>
public sealed record IdleMemoryTrimOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>How often allocation is looked at.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An interval that allocated less than this (and used less CPU than <see cref="IdleCpu"/>) is idle; lease
    /// renewals, watches and scrapes allocate well under it.</summary>
    public long IdleAllocation { get; init; } = 4L << 20;

    /// <summary>An interval that used less CPU than this (and allocated less than <see cref="IdleAllocation"/>) is idle.</summary>
    public TimeSpan IdleCpu { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Work since the last trim that makes another one worth it.</summary>
    public long TrimAfterAllocating { get; init; } = 64L << 20;
}
