using Packyard.Plugins.Compression.Native;

namespace Packyard.Plugins.Compression;

/// <summary>LZ4 frames through liblz4, one after another.</summary>
internal sealed unsafe class Lz4Decoder : NativeDecoder
{
    private readonly Lz4DecompressionContextHandle context;

    /// <summary>The last call that made progress ended a frame and flushed it; false until the first frame ends.</summary>
    private bool atFrameBoundary;

    public Lz4Decoder()
    {
        var result = LibLz4.CreateDecompressionContext(out context, LibLz4.FrameVersion);
        if (LibLz4.IsError(result) != 0)
        {
            context.Dispose();
            throw new InvalidOperationException($"liblz4 could not create a decompression context: {LibLz4.ErrorName(result)}");
        }
    }

    public override DecodeStep Decode(ReadOnlySpan<byte> input, Span<byte> output, bool inputEnded)
    {
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = output)
        {
            var consumed = (nuint)input.Length;
            var written = (nuint)output.Length;
            var result = LibLz4.Decompress(context, outputPointer, &written, inputPointer, &consumed, null);
            if (LibLz4.IsError(result) != 0)
            {
                throw new InvalidDataException(LibLz4.ErrorName(result));
            }

            if (consumed > 0 || written > 0)
            {
                atFrameBoundary = result == 0;
            }

            return new DecodeStep((int)consumed, (int)written,
                Finished: inputEnded && (int)consumed == input.Length && written == 0 && atFrameBoundary);
        }
    }

    public override void Dispose() => context.Dispose();
}
