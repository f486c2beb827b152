using System.Buffers;

namespace Packyard.Plugins.Compression;

/// <summary>
/// The read-only stream <see cref="Decompression.Open"/> returns. It reads the source into one fixed input buffer, picks the
/// decoder from the first bytes on the first read (so opening never blocks), decodes straight into the caller's buffer and
/// counts what it wrote against the limit. It owns the source stream.
/// </summary>
internal sealed class DecompressingStream(Stream source, CompressionFormat declared, long maxDecompressedBytes, string sourceName)
    : Stream
{
    private const int InputBufferSize = 64 * 1024;

    private byte[]? input = ArrayPool<byte>.Shared.Rent(InputBufferSize);
    private int inputStart;
    private int inputEnd;
    private bool inputEnded;
    private NativeDecoder? decoder;
    private CompressionFormat format;
    private bool finished;
    private long written;

    public override bool CanRead => input is not null;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            if (TryDecode(buffer, out var count))
            {
                return count;
            }

            FillInput(source.Read(InputSpace()));
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryDecode(buffer.Span, out var count))
            {
                return count;
            }

            FillInput(await source.ReadAsync(InputMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && input is not null)
        {
            decoder?.Dispose();
            decoder = null;
            ArrayPool<byte>.Shared.Return(input);
            input = null;
            source.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (input is not null)
        {
            decoder?.Dispose();
            decoder = null;
            ArrayPool<byte>.Shared.Return(input);
            input = null;
            await source.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Decodes what the input buffer holds; false when more input is needed first.</summary>
    private bool TryDecode(Span<byte> output, out int count)
    {
        ObjectDisposedException.ThrowIf(input is null, this);
        count = 0;
        if (finished || output.IsEmpty)
        {
            return true;
        }

        if (decoder is null)
        {
            if (inputEnd - inputStart < Decompression.MagicLength && !inputEnded)
            {
                return false;
            }

            format = ChooseFormat(input.AsSpan(inputStart, inputEnd - inputStart));
            decoder = Decompression.CreateDecoder(format);
        }

        while (true)
        {
            if (inputStart == inputEnd && !inputEnded)
            {
                return false;
            }

            DecodeStep step;
            try
            {
                step = decoder.Decode(input.AsSpan(inputStart, inputEnd - inputStart), output, inputEnded);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidUpstreamMetadataException($"{sourceName} is not valid {Name(format)} data: {e.Message}", e);
            }

            inputStart += step.Consumed;
            if (step.Written > 0)
            {
                written += step.Written;
                if (written > maxDecompressedBytes)
                {
                    throw new InvalidUpstreamMetadataException(format is CompressionFormat.None
                        ? $"{sourceName} is larger than {maxDecompressedBytes} bytes (limit SyncLimits.MaxDecompressedBytes)"
                        : $"{sourceName} decompresses to more than {maxDecompressedBytes} bytes (limit SyncLimits.MaxDecompressedBytes); "
                          + "refusing it as a possible decompression bomb");
                }

                count = step.Written;
                return true;
            }

            if (step.Finished)
            {
                finished = true;
                return true;
            }

            if (step.Consumed == 0)
            {
                if (!inputEnded)
                {
                    return false;
                }

                throw new InvalidUpstreamMetadataException(inputStart == inputEnd
                    ? $"{sourceName} is truncated: its {Name(format)} data ends before the end of the compressed stream"
                    : $"{sourceName} is not valid {Name(format)} data: the decoder stopped with {inputEnd - inputStart} bytes left");
            }
        }
    }

    private CompressionFormat ChooseFormat(ReadOnlySpan<byte> header)
    {
        var sniffed = Decompression.FromMagic(header);
        if (declared is CompressionFormat.None || sniffed == declared || sniffed is not CompressionFormat.None)
        {
            return sniffed;
        }

        if (header.IsEmpty)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName} is truncated: it is empty, not {Name(declared)} data");
        }

        throw new InvalidUpstreamMetadataException(
            $"{sourceName} is not {Name(declared)} data: it does not start with {Name(declared)}'s magic number");
    }

    /// <summary>Makes room at the end of the input buffer, moving unread bytes to the front.</summary>
    private Span<byte> InputSpace() => InputMemory().Span;

    private Memory<byte> InputMemory()
    {
        ObjectDisposedException.ThrowIf(input is null, this);
        if (inputStart > 0)
        {
            input.AsSpan(inputStart, inputEnd - inputStart).CopyTo(input);
            inputEnd -= inputStart;
            inputStart = 0;
        }

        if (inputEnd == input.Length)
        {
            // Every decoder takes all the input it is given; a full buffer with no progress is a decoder that is stuck.
            throw new InvalidUpstreamMetadataException($"{sourceName} is not valid {Name(format)} data: the decoder stopped making progress");
        }

        return input.AsMemory(inputEnd);
    }

    private void FillInput(int count)
    {
        if (count == 0)
        {
            inputEnded = true;
        }

        inputEnd += count;
    }

    private static string Name(CompressionFormat format) => format switch
    {
        CompressionFormat.Gzip => "gzip",
        CompressionFormat.Xz => "xz",
        CompressionFormat.Zstd => "zstd",
        CompressionFormat.Bzip2 => "bzip2",
        CompressionFormat.Lz4 => "lz4",
        _ => "uncompressed",
    };
}
