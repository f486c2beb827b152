using System.Collections.Concurrent;
using System.Globalization;
using Packyard.Api.Conditions;
using Packyard.Api.Resources;
using Packyard.Controllers;
using Packyard.Engine.Sync;
using Packyard.Runtime;
using Spectre.Console;
using Spectre.Console.Advanced;

namespace Packyard.Standalone;

/// <summary>
/// What standalone mode prints: a line per event and per Ready change, each once, the progress of running syncs, and a
/// status table of all resources whenever a round of work settles. On a terminal the progress lines stay at the bottom and
/// are redrawn in place; elsewhere (CI logs, a pipe) each sync prints a plain line on every phase change and at most every
/// <see cref="PlainProgressEvery"/>, and lines are never wrapped. The table fits 80 columns: names are shortened, rows kept.
/// </summary>
public sealed class ConsoleReporter : IEventRecorder
{
    /// <summary>How often a sync's progress is printed as a plain line when the console is not a terminal.</summary>
    public static readonly TimeSpan PlainProgressEvery = TimeSpan.FromSeconds(5);

    /// <summary>How often a terminal's progress lines are redrawn at most.</summary>
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(100);

    private readonly IAnsiConsole console;
    private readonly TimeProvider time;
    private readonly bool live;
    private readonly int tableWidth;
    private readonly ConcurrentDictionary<ResourceKey, string> lastReady = new();
    private readonly TaskProgressBoard board = new();
    private int drawnLines;
    private DateTimeOffset lastDraw;

    public ConsoleReporter(IAnsiConsole console, TimeProvider time)
    {
        this.console = Configure(console);
        this.time = time;
        live = IsTerminal(console);
        tableWidth = live ? Math.Clamp(console.Profile.Width, 60, 120) : 80;
    }

    /// <summary>
    /// Prepares <paramref name="console"/> before anything is printed: off a terminal (a log, a pipe) lines are kept whole,
    /// where Spectre would wrap them at its default 80 columns.
    /// </summary>
    public static IAnsiConsole Configure(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (!IsTerminal(console))
        {
            console.Profile.Width = 4096;
        }

        return console;
    }

    private static bool IsTerminal(IAnsiConsole console) =>
        console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi && console.Profile.Out.IsTerminal;

    public void Record(string kind, string ns, string name, bool warning, string reason, string message) =>
        Line($"{(warning ? "[yellow]Warning[/]" : "Normal")} {Markup.Escape(kind)} {Markup.Escape(ns)}/{Markup.Escape(name)} {Markup.Escape(reason)}: {Markup.Escape(message)}");

    public void Info(string message) => Line(Markup.Escape(message));

    /// <summary>Prints the resource's Ready condition when it changed; returns whether it did. A Repository no longer syncing leaves the progress lines.</summary>
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
        var syncing = ready?.Reason is Reasons.SyncQueued or Reasons.SyncRunning;
        var colour = ready?.Status switch { ConditionStatus.True => "green", ConditionStatus.False when !syncing => "red", _ => "grey" };
        lock (console)
        {
            if (!syncing)
            {
                board.Remove(entry.Key.ToString());
            }

            WriteLine($"{Markup.Escape(entry.Key.ToString())} [{colour}]Ready={Markup.Escape(text)}[/]");
        }

        return true;
    }

    public void Forget(ResourceKey key)
    {
        lastReady.TryRemove(key, out _);
        lock (console)
        {
            if (board.Remove(key.ToString()))
            {
                Redraw(force: true);
            }
        }
    }

    /// <summary>A progress reporter for one repository's sync.</summary>
    public IProgress<SyncProgress> SyncProgress(ResourceKey key) => new Progress(this, key.ToString());

    public void Table(IEnumerable<ResourceEntry> entries)
    {
        var rows = entries.Select(entry =>
        {
            var status = StatusOf(entry.Resource);
            var ready = status is null ? null : ConditionSet.Get(status, ConditionTypes.Ready);
            var name = entry.Key.Namespace == "default" ? entry.Key.Name : $"{entry.Key.Namespace}/{entry.Key.Name}";
            return new[] { entry.Key.Kind, name, ready?.Status.ToString() ?? "Unknown", ready?.Reason ?? "", ready?.Message ?? entry.Error ?? "" };
        }).ToList();
        var text = StatusTable.Render(["Kind", "Name", "Ready", "Reason", "Message"], rows, tableWidth);
        lock (console)
        {
            Clear();
            console.Write(new Text(text));
            Redraw(force: true);
        }
    }

    internal static ResourceStatus? StatusOf(object? resource) => resource is null ? null : KindRegistry.Of(resource).StatusOf(resource);

    private void Line(string markup)
    {
        lock (console)
        {
            WriteLine(markup);
        }
    }

    /// <summary>Prints a time-stamped line above the progress lines. Call under the console lock.</summary>
    private void WriteLine(string markup)
    {
        var stamp = time.GetUtcNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        Clear();
        console.MarkupLine($"[grey]{stamp}[/] {markup}");
        Redraw(force: true);
    }

    private void OnProgress(string name, SyncProgress value)
    {
        var now = time.GetUtcNow();
        lock (console)
        {
            var phaseChanged = board.Update(name, value, now);
            if (live)
            {
                Redraw(force: phaseChanged);
            }
            else if (board.LineDue(name, phaseChanged, PlainProgressEvery, now))
            {
                var stamp = now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
                console.MarkupLine($"[grey]{stamp}[/] [blue]{Markup.Escape(board.Line(name, now))}[/]");
            }
        }
    }

    /// <summary>Removes the progress lines from the bottom of a terminal. Call under the console lock.</summary>
    private void Clear()
    {
        if (!live || drawnLines == 0)
        {
            return;
        }

        console.WriteAnsi(string.Concat(Enumerable.Repeat("\u001b[1A\u001b[2K", drawnLines)) + "\r");
        drawnLines = 0;
    }

    /// <summary>Draws the progress lines at the bottom of a terminal (at most every <see cref="RedrawEvery"/> unless forced). Call under the console lock.</summary>
    private void Redraw(bool force)
    {
        var now = time.GetUtcNow();
        if (!live || (!force && now - lastDraw < RedrawEvery))
        {
            return;
        }

        Clear();
        lastDraw = now;
        foreach (var line in board.Lines(now, Math.Max(20, console.Profile.Width - 1)))
        {
            console.WriteAnsi($"\u001b[34m{line}\u001b[0m\n");
            drawnLines++;
        }
    }

    private sealed class Progress(ConsoleReporter reporter, string name) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => reporter.OnProgress(name, value);
    }
}
