using System.Collections.Concurrent;
using System.Globalization;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Engine.Sync;
using Packyard.Runtime;
using Spectre.Console;

namespace Packyard.Standalone;

/// <summary>
/// What standalone mode prints: a line per event and per Ready change, throttled progress bars for running
/// syncs, and a status table of all resources whenever a round of work settles.
/// </summary>
public sealed class ConsoleReporter(IAnsiConsole console, TimeProvider time) : IEventRecorder
{
    private TimeProvider Time => time;

    private readonly ConcurrentDictionary<ResourceKey, string> lastReady = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> lastProgress = new();

    public void Record(string kind, string ns, string name, bool warning, string reason, string message) =>
        Line($"{(warning ? "[yellow]Warning[/]" : "Normal")} {Markup.Escape(kind)} {Markup.Escape(ns)}/{Markup.Escape(name)} {Markup.Escape(reason)}: {Markup.Escape(message)}");

    public void Info(string message) => Line(Markup.Escape(message));

    /// <summary>Prints the resource's Ready condition when it changed; returns whether it did.</summary>
    public bool ReportStatus(ResourceEntry entry)
    {
        var status = StatusOf(entry.Resource);
        var ready = status is null ? null : ConditionSet.Get(status, ConditionTypes.Ready);
        var text = ready is null ? "Unknown" : $"{ready.Status} {ready.Reason}: {ready.Message}";
        if (lastReady.TryGetValue(entry.Key, out var previous) && previous == text)
        {
            return false;
        }

        lastReady[entry.Key] = text;
        var colour = ready?.Status switch { ConditionStatus.True => "green", ConditionStatus.False => "red", _ => "grey" };
        Line($"{Markup.Escape(entry.Key.ToString())} [{colour}]Ready={Markup.Escape(text)}[/]");
        return true;
    }

    public void Forget(ResourceKey key) => lastReady.TryRemove(key, out _);

    /// <summary>A progress reporter for one repository's sync: a bar line at most every two seconds.</summary>
    public IProgress<SyncProgress> SyncProgress(ResourceKey key) => new Progress(this, key.ToString());

    public void Table(IEnumerable<ResourceEntry> entries)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("Kind", "Namespace", "Name", "Ready", "Reason", "Detail");
        foreach (var entry in entries)
        {
            var status = StatusOf(entry.Resource);
            var ready = status is null ? null : ConditionSet.Get(status, ConditionTypes.Ready);
            table.AddRow(entry.Key.Kind, entry.Key.Namespace, entry.Key.Name, ready?.Status.ToString() ?? "Unknown",
                Markup.Escape(ready?.Reason ?? ""), Markup.Escape(Truncate(ready?.Message ?? entry.Error ?? "", 90)));
        }

        lock (console)
        {
            console.Write(table);
        }
    }

    internal static ResourceStatus? StatusOf(object? resource) => resource is null ? null : KindRegistry.Of(resource).StatusOf(resource);

    private void Line(string markup)
    {
        var stamp = time.GetUtcNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        lock (console)
        {
            console.MarkupLine($"[grey]{stamp}[/] {markup}");
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private sealed class Progress(ConsoleReporter reporter, string name) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value)
        {
            var now = reporter.Time.GetUtcNow();
            var complete = value.ToDownload > 0 && value.Downloaded == value.ToDownload;
            if (!complete && reporter.lastProgress.TryGetValue(name, out var last) && now - last < TimeSpan.FromSeconds(2))
            {
                return;
            }

            reporter.lastProgress[name] = now;
            var detail = value.ToDownload > 0
                ? $"{Bar(value.Downloaded, value.ToDownload)} {value.Downloaded:N0}/{value.ToDownload:N0} artifacts, {value.DownloadedBytes / 1048576.0:N1} MiB"
                : $"{value.Declared:N0} units";
            reporter.Line($"{Markup.Escape(name)} [blue]{Markup.Escape(value.Phase)}[/] {Markup.Escape(detail)}");
        }

        private static string Bar(long done, long total)
        {
            const int width = 24;
            var filled = (int)(width * done / Math.Max(1, total));
            return "[" + new string('#', filled) + new string('.', width - filled) + "]";
        }
    }
}
