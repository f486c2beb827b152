using System.Text;

namespace Packyard.Plugins;

/// <summary>
/// Reads UTF-8 lines from upstream metadata with bounds: a line longer than the limit, or a stream longer than
/// the total limit, fails with <see cref="InvalidUpstreamMetadataException"/> instead of exhausting memory.
/// </summary>
public sealed class BoundedLineReader(Stream stream, string sourceName, int maxLineLength, long maxTotalBytes) : IDisposable
{
    private readonly StreamReader reader = new(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 65536);
    private readonly StringBuilder line = new();
    private readonly char[] buffer = new char[65536];
    private int position;
    private int length;
    private long totalChars;

    /// <summary>1-based number of the line most recently returned.</summary>
    public int LineNumber { get; private set; }

    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        line.Clear();
        while (true)
        {
            if (position == length)
            {
                try
                {
                    length = await reader.ReadAsync(buffer, cancellationToken);
                }
                catch (DecoderFallbackException e)
                {
                    throw new InvalidUpstreamMetadataException($"{sourceName}:{LineNumber + 1}: not valid UTF-8", e);
                }

                position = 0;
                if (length == 0)
                {
                    if (line.Length == 0)
                    {
                        return null;
                    }

                    LineNumber++;
                    return line.ToString();
                }

                totalChars += length;
                if (totalChars > maxTotalBytes)
                {
                    throw new InvalidUpstreamMetadataException($"{sourceName} is larger than {maxTotalBytes} bytes (limit SyncLimits.MaxMetadataBytes)");
                }
            }

            var newline = Array.IndexOf(buffer, '\n', position, length - position);
            var end = newline < 0 ? length : newline;
            line.Append(buffer, position, end - position);
            position = newline < 0 ? length : newline + 1;
            if (line.Length > maxLineLength)
            {
                throw new InvalidUpstreamMetadataException($"{sourceName}:{LineNumber + 1}: line longer than {maxLineLength} characters");
            }

            if (newline >= 0)
            {
                LineNumber++;
                if (line.Length > 0 && line[^1] == '\r')
                {
                    line.Length--;
                }

                return line.ToString();
            }
        }
    }

    public void Dispose() => reader.Dispose();
}
