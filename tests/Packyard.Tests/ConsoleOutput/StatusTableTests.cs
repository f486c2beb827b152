using Packyard.Standalone;

namespace Packyard.Tests.ConsoleOutput;

public sealed class StatusTableTests
{
    private static readonly string[] Headers = ["Kind", "Name", "Ready", "Reason", "Message"];

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void Every_row_is_one_line_within_the_width_and_long_names_are_cut_not_dropped(int width)
    {
        string[][] rows =
        [
            ["Remote", "an-upstream-with-a-very-long-name-indeed", "True", "Succeeded", "file remote at file:///srv/mirror/upstream/ (Immediate)"],
            ["Repository", "quickstart", "False", "WaitingForPublication", "Repository quickstart has no publication yet\nsecond line"],
            ["Distribution", "quickstart", "Unknown", "", ""],
        ];

        var lines = StatusTable.Render(Headers, rows, width).TrimEnd('\n').Split('\n');

        Assert.Equal(2 + rows.Length, lines.Length); // header, rule, one line per row
        Assert.All(lines, line => Assert.True(line.Length <= width, $"{line.Length} > {width}: {line}"));
        Assert.StartsWith("Remote        an-upstream-wit", lines[2], StringComparison.Ordinal);
        Assert.Contains("…", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("second line", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("Distribution  quickstart", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public void Short_cells_make_narrow_columns_and_the_message_gets_the_rest()
    {
        var lines = StatusTable.Render(Headers, [["Remote", "r", "True", "Succeeded", "ok"]], 80).Split('\n');

        Assert.Equal("Kind    Name  Ready  Reason     Message", lines[0]);
        Assert.Equal("Remote  r     True   Succeeded  ok", lines[2]);
    }
}
