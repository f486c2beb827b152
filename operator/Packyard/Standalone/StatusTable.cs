using System.Text;

namespace Packyard.Standalone;

/// <summary>
/// The console's status table as plain text of a fixed width: one line per row, every cell on one line and cut with an
/// ellipsis where its column is too narrow, so a table never wraps and never drops a row.
/// </summary>
internal static class StatusTable
{
    private const string Gap = "  ";

    /// <summary>
    /// Renders <paramref name="rows"/> under <paramref name="headers"/> in <paramref name="width"/> columns. Every column but the
    /// last is as wide as its widest cell up to a share of the width (the first and third fit "Distribution" and "Unknown");
    /// the last takes what is left.
    /// </summary>
    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, int width)
    {
        var caps = Caps(headers.Count, width);
        var widths = new int[headers.Count];
        for (var column = 0; column < headers.Count - 1; column++)
        {
            var widest = rows.Select(row => FirstLine(row[column]).Length).Append(headers[column].Length).Max();
            widths[column] = Math.Min(widest, caps[column]);
        }

        widths[^1] = Math.Max(8, width - widths[..^1].Sum() - (Gap.Length * (headers.Count - 1)));
        var text = new StringBuilder();
        Append(text, headers, widths);
        text.Append(new string('─', Math.Min(width, widths.Sum() + (Gap.Length * (headers.Count - 1))))).Append('\n');
        foreach (var row in rows)
        {
            Append(text, row, widths);
        }

        return text.ToString();
    }

    /// <summary>At 80 columns: 12, 16, 7, 16 and the rest; a wider table gives the second and fourth a quarter of the extra each.</summary>
    private static int[] Caps(int columns, int width)
    {
        var extra = Math.Max(0, (width - 80) / 4);
        int[] caps = [12, 16 + extra, 7, 16 + extra];
        return [.. Enumerable.Range(0, columns).Select(i => i < caps.Length ? caps[i] : width)];
    }

    private static void Append(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = Fit(FirstLine(i < cells.Count ? cells[i] : ""), widths[i]);
            line.Append(i < widths.Length - 1 ? cell.PadRight(widths[i]) + Gap : cell);
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0];

    private static string Fit(string text, int width) => text.Length <= width ? text : text[..Math.Max(0, width - 1)] + "…";
}
