using System.Text;
using Packyard.Controllers;
using Packyard.Engine.Sync;
using Packyard.Standalone;
using Spectre.Console;

namespace Packyard.Tests.ConsoleOutput;

/// <summary>What standalone mode prints, on a terminal (progress redrawn in place) and in a log (plain lines, never wrapped).</summary>
public sealed class ConsoleReporterTests
{
    private readonly ManualTime time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void In_a_log_progress_is_a_plain_line_on_each_phase_change_and_at_most_every_five_seconds_and_long_lines_stay_whole()
    {
        var output = new StringWriter();
        var reporter = new ConsoleReporter(Create(output, terminal: false), time);
        var progress = reporter.SyncProgress(new ResourceKey("Repository", "default", "big"));

        progress.Report(new SyncProgress("Reading metadata", 85, 0, 0, 0));
        for (var i = 1; i <= 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            progress.Report(new SyncProgress("Downloading", 85, 85, i * 4, i * 4L * 10 << 20));
        }

        progress.Report(new SyncProgress("Downloading", 85, 85, 85, 850L << 20));
        reporter.Info(new string('x', 300));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var downloading = lines.Where(line => line.Contains("Downloading", StringComparison.Ordinal)).ToList();
        Assert.Single(lines, line => line.Contains("Reading metadata  85 units", StringComparison.Ordinal));
        Assert.InRange(downloading.Count, 4, 6); // the first, one every 5 s of 20 s, and the last
        Assert.Contains("85/85  850.0 MiB", downloading[^1], StringComparison.Ordinal);
        Assert.Matches(@"44/85  440\.0 MiB  \d+\.\d MiB/s  ETA 0:\d\d", string.Join('\n', downloading));
        Assert.Contains(lines, line => line.EndsWith(new string('x', 300), StringComparison.Ordinal));
        Assert.DoesNotContain("\u001b[1A", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_terminal_progress_stays_at_the_bottom_and_is_redrawn_in_place_under_every_new_line()
    {
        var output = new StringWriter();
        var reporter = new ConsoleReporter(Create(output, terminal: true), time);
        var progress = reporter.SyncProgress(new ResourceKey("Repository", "default", "big"));

        progress.Report(new SyncProgress("Downloading", 10, 10, 1, 1 << 20));
        time.Advance(TimeSpan.FromSeconds(2));
        progress.Report(new SyncProgress("Downloading", 10, 10, 5, 5 << 20));
        reporter.Info("an event");

        var text = output.ToString();
        var lastEvent = text.LastIndexOf("an event", StringComparison.Ordinal);
        Assert.Contains("\u001b[1A\u001b[2K", text, StringComparison.Ordinal); // the old progress line was erased …
        Assert.Contains("Repository default/big  Downloading  [########........] 5/10  5.0 MiB", text[lastEvent..], StringComparison.Ordinal); // … and drawn under the event
        Assert.DoesNotContain("1/10", text[lastEvent..], StringComparison.Ordinal);
    }

    private static IAnsiConsole Create(StringWriter writer, bool terminal) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        Out = new Output(writer, terminal),
    });

    private sealed class Output(StringWriter writer, bool terminal) : IAnsiConsoleOutput
    {
        public TextWriter Writer => writer;

        public bool IsTerminal => terminal;

        public int Width => 100;

        public int Height => 40;

        public void SetEncoding(Encoding encoding)
        {
        }
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset current = now;

        public override DateTimeOffset GetUtcNow() => current;

        public void Advance(TimeSpan by) => current += by;
    }
}
