using System.Diagnostics;
using System.Globalization;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// The README's first command as a person runs it (<c>./packyard run --manifests examples/files-quickstart</c>, output to a
/// log): what it prints first, each event once, progress as plain lines, a status table within 80 columns.
/// </summary>
public sealed class QuickstartConsoleTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_first_line_says_what_is_happening_and_each_event_progress_phase_and_table_row_is_printed_once_without_log_lines()
    {
        var readme = await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot.Path, "README.md"));
        Assert.Equal("./packyard run --manifests examples/files-quickstart", readme[3]);
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        var lines = new List<(TimeSpan At, string Text)>();
        var clock = Stopwatch.StartNew();
        var port = HttpUpstream.FreePort();
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot.Path, "packyard"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workspace.Data,
        };
        foreach (var argument in new[] { "run", "--manifests", workspace.Manifests, "--data-dir", workspace.Data, "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } text)
            {
                lock (lines)
                {
                    lines.Add((clock.Elapsed, text));
                }
            }
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (!Snapshot(lines).Any(l => l.Text.Contains("Distribution default/quickstart Ready=True", StringComparison.Ordinal)))
            {
                Assert.True(clock.Elapsed < Limit && !process.HasExited, "the quickstart was not served in time:\n" + string.Join('\n', Snapshot(lines).Select(l => l.Text)));
                await Task.Delay(200);
            }

            await Task.Delay(1500); // the status table once the round of work settles
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var output = Snapshot(lines);
        var text = string.Join('\n', output.Select(l => l.Text));
        // First: what is happening (building, or starting with the private PostgreSQL), long before the database is up.
        Assert.Matches("^(packyard: building|Packyard starting on the manifests in .* with a private PostgreSQL under )", output[0].Text);
        Assert.True(output[0].At < TimeSpan.FromSeconds(15), $"the first line came after {output[0].At}");
        Assert.DoesNotContain("info: Packyard", text, StringComparison.Ordinal);
        Assert.Single(output, l => l.Text.Contains("Normal Repository default/quickstart SyncSucceeded: version 1: 3 added", StringComparison.Ordinal));
        Assert.Single(output, l => l.Text.Contains("Repository default/quickstart  Downloading  [################] 3/3", StringComparison.Ordinal));
        Assert.Contains(output, l => l.Text.StartsWith("Distribution  quickstart", StringComparison.Ordinal) && l.Text.Length <= 80);
    }

    private static List<(TimeSpan At, string Text)> Snapshot(List<(TimeSpan At, string Text)> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }
}
