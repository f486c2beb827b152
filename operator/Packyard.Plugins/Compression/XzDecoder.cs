using Packyard.Plugins.Compression.Native;

namespace Packyard.Plugins.Compression;

/// <summary>.xz through liblzma, concatenated streams read as one, with a memory limit on the decoder.</summary>
internal sealed unsafe class XzDecoder : NativeDecoder
{
    /// <summary>What <c>xz -9</c> needs is 65 MiB; anything above this limit is hostile.</summary>
    public const ulong MemoryLimit = 256UL << 20;

    private readonly LzmaStreamHandle stream = new();

    /// <summary>liblzma returned <c>LZMA_STREAM_END</c>: the last stream ended and no input follows.</summary>
    private bool ended;

    public XzDecoder()
    {
        var result = LibLzma.StreamDecoder(stream.Stream, MemoryLimit, LibLzma.Concatenated);
        if (result != LibLzma.Result.Ok)
        {
            stream.Dispose();
            throw new InvalidOperationException($"liblzma could not start an xz decoder: {LibLzma.Describe(result)}");
        }
    }

    public override DecodeStep Decode(ReadOnlySpan<byte> input, Span<byte> output, bool inputEnded)
    {
        if (ended)
        {
            return new DecodeStep(0, 0, Finished: true);
        }

        var (result, consumed, written) = stream.Code(input, output, inputEnded ? LibLzma.Action.Finish : LibLzma.Action.Run);
        return result switch
        {
            LibLzma.Result.Ok or LibLzma.Result.BufError => new DecodeStep(consumed, written, Finished: false),
            LibLzma.Result.StreamEnd => End(consumed, written),
            LibLzma.Result.MemlimitError => throw new InvalidDataException(
                $"its decoder needs more than {MemoryLimit >> 20} MiB of memory"),
            _ => throw new InvalidDataException(LibLzma.Describe(result)),
        };
    }

    public override void Dispose() => stream.Dispose();

    private DecodeStep End(int consumed, int written)
    {
        ended = true;
        return new DecodeStep(consumed, written, Finished: written == 0);
    }
}
