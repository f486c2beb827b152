using System.Buffers;

namespace Packyard.Plugins.Compression;

/// <summary>
/// The write-only stream <see cref="Compression.Create"/> returns for the native formats: input goes through the encoder
/// into one fixed 64 KiB buffer, written to the output whenever the encoder fills it. Dispose finishes the compressed stream
/// and, unless leaveOpen, disposes the output; <see cref="Flush"/> only passes buffered bytes on, it does not end a block.
/// </summary>
internal sealed class CompressingStream(Stream output, NativeEncoder encoder, bool leaveOpen) : Stream
{
    private const int OutputBufferSize = 64 * 1024;

    private byte[]? buffer = ArrayPool<byte>.Shared.Rent(OutputBufferSize);

    private byte[] OutputBuffer => buffer ?? throw new ObjectDisposedException(nameof(CompressingStream));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => buffer is not null;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            var step = Encode(input, finish: false);
            input = input[step.Consumed..];
            output.Write(OutputBuffer, 0, step.Written);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default)
    {
        while (!input.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = Encode(input.Span, finish: false);
            input = input[step.Consumed..];
            await output.WriteAsync(OutputBuffer.AsMemory(0, step.Written), cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Flush()
    {
        ObjectDisposedException.ThrowIf(buffer is null, this);
        output.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(buffer is null, this);
        return output.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && buffer is not null)
        {
            try
            {
                EncodeStep step;
                do
                {
                    step = Encode([], finish: true);
                    output.Write(OutputBuffer, 0, step.Written);
                }
                while (!step.Done);

                output.Flush();
            }
            finally
            {
                Release();
                if (!leaveOpen)
                {
                    output.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (buffer is not null)
        {
            try
            {
                EncodeStep step;
                do
                {
                    step = Encode([], finish: true);
                    await output.WriteAsync(OutputBuffer.AsMemory(0, step.Written)).ConfigureAwait(false);
                }
                while (!step.Done);

                await output.FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                Release();
                if (!leaveOpen)
                {
                    await output.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private EncodeStep Encode(ReadOnlySpan<byte> input, bool finish)
    {
        var step = encoder.Encode(input, OutputBuffer, finish);
        if (step.Consumed == 0 && step.Written == 0 && !step.Done)
        {
            throw new InvalidOperationException("The compressor stopped making progress");
        }

        return step;
    }

    private void Release()
    {
        encoder.Dispose();
        ArrayPool<byte>.Shared.Return(buffer!);
        buffer = null;
    }
}
