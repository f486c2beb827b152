using System.Text;

namespace Packyard.Verbs;

/// <summary>
/// A plain-text table (kubectl's style: upper-case headers, columns three spaces apart) that fits a width: when it would not,
/// the widest columns are cut (cells end in "…"), never rows.
/// </summary>
internal static class TextTable
{
    private const string Gap = "   ";

    /// <summary>The width to fit: $COLUMNS, else the terminal's, else 80.</summary>
    public static int Width()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns >= 20)
        {
            return columns;
        }

        try
        {
            return !Console.IsOutputRedirected && Console.WindowWidth >= 20 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int width)
    {
        var all = rows.Select(r => r.Select(c => (c ?? "").ReplaceLineEndings(" ")).ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        var budget = width - Gap.Length * (headers.Count - 1);
        // The last column (a message) gives way first, down to 20 characters; then always the widest.
        var last = headers.Count - 1;
        while (widths.Sum() > budget)
        {
            var cut = widths[last] > Math.Max(headers[last].Length, 20) ? last : Array.IndexOf(widths, widths.Max());
            if (widths[cut] <= Math.Max(headers[cut].Length, 4))
            {
                break;
            }

            widths[cut]--;
        }

        var text = new StringBuilder();
        Line(text, headers, widths);
        foreach (var row in all)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i].Length > widths[i] ? cells[i][..(widths[i] - 1)] + "…" : cells[i];
            line.Append(i == cells.Count - 1 ? cell : cell.PadRight(widths[i]) + Gap);
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
