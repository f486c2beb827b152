using Packyard.Plugins.Compression.Native;

namespace Packyard.Plugins.Compression;

/// <summary>
/// Zstandard through libzstd, frames one after another. libzstd's default window limit (128 MiB) bounds its memory.
/// </summary>
internal sealed unsafe class ZstdDecoder : NativeDecoder
{
    private readonly ZstdDecompressionContextHandle context = LibZstd.CreateDCtx();

    /// <summary>The last call that made progress ended a frame and flushed it; false until the first frame ends.</summary>
    private bool atFrameBoundary;

    public ZstdDecoder()
    {
        if (context.IsInvalid)
        {
            throw new InvalidOperationException("libzstd could not create a decompression context");
        }
    }

    public override DecodeStep Decode(ReadOnlySpan<byte> input, Span<byte> output, bool inputEnded)
    {
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = output)
        {
            var inBuffer = new LibZstd.InBuffer { Source = inputPointer, Size = (nuint)input.Length };
            var outBuffer = new LibZstd.OutBuffer { Destination = outputPointer, Size = (nuint)output.Length };
            var result = LibZstd.DecompressStream(context, &outBuffer, &inBuffer);
            if (LibZstd.IsError(result) != 0)
            {
                throw new InvalidDataException(LibZstd.ErrorName(result));
            }

            var consumed = (int)inBuffer.Position;
            var written = (int)outBuffer.Position;
            if (consumed > 0 || written > 0)
            {
                atFrameBoundary = result == 0;
            }

            return new DecodeStep(consumed, written, Finished: inputEnded && consumed == input.Length && written == 0 && atFrameBoundary);
        }
    }

    public override void Dispose() => context.Dispose();
}
