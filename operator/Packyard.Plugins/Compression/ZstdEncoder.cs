using Packyard.Plugins.Compression.Native;

namespace Packyard.Plugins.Compression;

/// <summary>Zstandard through libzstd's <c>ZSTD_compressStream2</c>: level 3 with a content checksum, as the <c>zstd</c> tool writes.</summary>
internal sealed unsafe class ZstdEncoder : NativeEncoder
{
    private const int Level = 3;

    private readonly ZstdCompressionContextHandle context = LibZstd.CreateCCtx();

    public ZstdEncoder()
    {
        if (context.IsInvalid)
        {
            throw new InvalidOperationException("libzstd could not create a compression context");
        }

        Check(LibZstd.SetParameter(context, LibZstd.CompressionLevelParameter, Level));
        Check(LibZstd.SetParameter(context, LibZstd.ChecksumFlagParameter, 1));
    }

    public override EncodeStep Encode(ReadOnlySpan<byte> input, Span<byte> output, bool finish)
    {
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = output)
        {
            var inBuffer = new LibZstd.InBuffer { Source = inputPointer, Size = (nuint)input.Length };
            var outBuffer = new LibZstd.OutBuffer { Destination = outputPointer, Size = (nuint)output.Length };
            var remaining = LibZstd.CompressStream2(
                context, &outBuffer, &inBuffer, finish ? LibZstd.EndDirective.End : LibZstd.EndDirective.Continue);
            Check(remaining);
            return new EncodeStep((int)inBuffer.Position, (int)outBuffer.Position, Done: finish && remaining == 0);
        }
    }

    public override void Dispose() => context.Dispose();

    private void Check(nuint result)
    {
        if (LibZstd.IsError(result) != 0)
        {
            throw new InvalidOperationException($"libzstd failed to compress: {LibZstd.ErrorName(result)}");
        }
    }
}
