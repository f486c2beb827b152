using Packyard.Plugins.Compression.Native;

namespace Packyard.Plugins.Compression;

/// <summary>bzip2 through libbz2 with 900 KB blocks, as <c>bzip2</c> writes by default.</summary>
internal sealed unsafe class Bzip2Encoder : NativeEncoder
{
    private const int BlockSize100K = 9;

    private readonly Bz2StreamHandle stream = new(compress: true);

    public Bzip2Encoder()
    {
        var result = LibBz2.CompressInit(stream.Stream, BlockSize100K, verbosity: 0, workFactor: 0);
        if (result != LibBz2.Ok)
        {
            stream.Dispose();
            throw new InvalidOperationException($"libbz2 could not start a bzip2 encoder: {LibBz2.Describe(result)}");
        }

        stream.Initialized = true;
    }

    public override EncodeStep Encode(ReadOnlySpan<byte> input, Span<byte> output, bool finish)
    {
        var native = stream.Stream;
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = output)
        {
            native->NextIn = inputPointer;
            native->AvailIn = (uint)input.Length;
            native->NextOut = outputPointer;
            native->AvailOut = (uint)output.Length;
            var result = LibBz2.Compress(native, finish ? LibBz2.Finish : LibBz2.Run);
            var consumed = input.Length - (int)native->AvailIn;
            var written = output.Length - (int)native->AvailOut;
            native->NextIn = null;
            native->NextOut = null;
            return result switch
            {
                LibBz2.RunOk or LibBz2.FinishOk => new EncodeStep(consumed, written, Done: false),
                LibBz2.StreamEnd => new EncodeStep(consumed, written, Done: true),
                _ => throw new InvalidOperationException($"libbz2 failed to compress: {LibBz2.Describe(result)}"),
            };
        }
    }

    public override void Dispose() => stream.Dispose();
}
