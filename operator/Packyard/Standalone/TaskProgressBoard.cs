using System.Globalization;
using Packyard.Engine.Sync;

namespace Packyard.Standalone;

/// <summary>
/// The running syncs the console shows: each one's latest <see cref="SyncProgress"/>, with the rate and time left derived
/// from when its downloads started. Not thread-safe: <see cref="ConsoleReporter"/> calls it under its console lock.
/// </summary>
internal sealed class TaskProgressBoard
{
    /// <summary>A sync that has reported nothing for this long is no longer shown (its end was missed, e.g. a crash).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public int Count => entries.Count;

    /// <summary>Records a report; returns true when the phase changed (a plain-text console prints a line then).</summary>
    public bool Update(string name, SyncProgress progress, DateTimeOffset now)
    {
        if (!entries.TryGetValue(name, out var entry))
        {
            entries[name] = entry = new Entry(now);
        }

        var phaseChanged = entry.Progress?.Phase != progress.Phase;
        if (phaseChanged && progress.Phase == "Downloading")
        {
            entry.DownloadStarted = now;
            entry.PrintedComplete = false;
        }

        entry.Progress = progress;
        entry.Updated = now;
        return phaseChanged;
    }

    /// <summary>
    /// Whether a plain-text console should print <paramref name="name"/>'s line now: on a phase change (<paramref name="phaseChanged"/>),
    /// when its downloads completed, or when <paramref name="every"/> passed since its last line; records the line when due.
    /// </summary>
    public bool LineDue(string name, bool phaseChanged, TimeSpan every, DateTimeOffset now)
    {
        if (!entries.TryGetValue(name, out var entry))
        {
            return false;
        }

        var progress = entry.Progress!;
        var complete = progress.ToDownload > 0 && progress.Downloaded == progress.ToDownload;
        var due = phaseChanged || (complete && !entry.PrintedComplete) || entry.LastLine is not { } last || now - last >= every;
        if (due)
        {
            entry.LastLine = now;
            entry.PrintedComplete |= complete;
        }

        return due;
    }

    public bool Remove(string name) => entries.Remove(name);

    /// <summary>One line per running sync, oldest first, each at most <paramref name="width"/> characters.</summary>
    public IReadOnlyList<string> Lines(DateTimeOffset now, int width)
    {
        foreach (var stale in entries.Where(e => now - e.Value.Updated > StaleAfter).Select(e => e.Key).ToList())
        {
            entries.Remove(stale);
        }

        return entries.OrderBy(e => e.Value.Created).Select(e => Fit(Describe(e.Key, e.Value, now), width)).ToList();
    }

    /// <summary>The line of one sync: name, phase, done/total, bytes, rate and time left (the last three while downloading).</summary>
    public string Line(string name, DateTimeOffset now) => entries.TryGetValue(name, out var entry) ? Describe(name, entry, now) : name;

    private static string Describe(string name, Entry entry, DateTimeOffset now)
    {
        var progress = entry.Progress!;
        var text = $"{name}  {progress.Phase}";
        if (progress.Phase != "Downloading" || progress.ToDownload == 0)
        {
            var count = progress.Phase == "Creating version" ? $"{progress.Downloaded:N0} downloaded" : $"{progress.Declared:N0} units";
            return string.Create(CultureInfo.InvariantCulture, $"{text}  {count}");
        }

        text = string.Create(CultureInfo.InvariantCulture,
            $"{text}  {Bar(progress.Downloaded, progress.ToDownload)} {progress.Downloaded:N0}/{progress.ToDownload:N0}  {Size(progress.DownloadedBytes)}");
        var elapsed = now - (entry.DownloadStarted ?? now);
        if (elapsed >= TimeSpan.FromSeconds(1) && progress.Downloaded < progress.ToDownload)
        {
            text += $"  {Size((long)(progress.DownloadedBytes / elapsed.TotalSeconds))}/s";
            if (progress.Downloaded > 0)
            {
                var left = elapsed * ((double)(progress.ToDownload - progress.Downloaded) / progress.Downloaded);
                text += $"  ETA {Duration(left)}";
            }
        }

        return text;
    }

    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1073741824.0:0.00} GiB"),
    };

    private static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}:{span.Seconds:00}");

    private static string Bar(long done, long total)
    {
        const int width = 16;
        var filled = (int)(width * Math.Clamp(done, 0, total) / Math.Max(1, total));
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }

    private static string Fit(string text, int width) => text.Length <= width ? text : text[..Math.Max(0, width - 1)] + "…";

    private sealed class Entry(DateTimeOffset created)
    {
        public DateTimeOffset Created { get; } = created;

        /// <summary>Whether the line saying every download finished was printed (plain-text consoles print it once).</summary>
        public bool PrintedComplete { get; set; }

        public SyncProgress? Progress { get; set; }

        public DateTimeOffset Updated { get; set; }

        public DateTimeOffset? DownloadStarted { get; set; }

        public DateTimeOffset? LastLine { get; set; }
    }
}
