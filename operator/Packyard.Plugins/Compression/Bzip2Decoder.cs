using Packyard.Plugins.Compression.Native;

namespace Packyard.Plugins.Compression;

/// <summary>bzip2 through libbz2; a stream that follows another (as pbzip2 writes) starts a fresh decoder.</summary>
internal sealed unsafe class Bzip2Decoder : NativeDecoder
{
    private readonly Bz2StreamHandle stream = new(compress: false);

    /// <summary>The last stream ended; more input starts another.</summary>
    private bool streamEnded;

    public Bzip2Decoder() => Start();

    public override DecodeStep Decode(ReadOnlySpan<byte> input, Span<byte> output, bool inputEnded)
    {
        if (streamEnded)
        {
            if (input.IsEmpty)
            {
                return new DecodeStep(0, 0, Finished: inputEnded);
            }

            stream.EndState();
            Start();
            streamEnded = false;
        }

        var native = stream.Stream;
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = output)
        {
            native->NextIn = inputPointer;
            native->AvailIn = (uint)input.Length;
            native->NextOut = outputPointer;
            native->AvailOut = (uint)output.Length;
            var result = LibBz2.Decompress(native);
            var consumed = input.Length - (int)native->AvailIn;
            var written = output.Length - (int)native->AvailOut;
            native->NextIn = null;
            native->NextOut = null;
            switch (result)
            {
                case LibBz2.Ok:
                    return new DecodeStep(consumed, written, Finished: false);
                case LibBz2.StreamEnd:
                    streamEnded = true;
                    return new DecodeStep(consumed, written, Finished: false);
                default:
                    throw new InvalidDataException(LibBz2.Describe(result));
            }
        }
    }

    public override void Dispose() => stream.Dispose();

    private void Start()
    {
        var result = LibBz2.DecompressInit(stream.Stream, verbosity: 0, small: 0);
        if (result != LibBz2.Ok)
        {
            throw new InvalidOperationException($"libbz2 could not start a bzip2 decoder: {LibBz2.Describe(result)}");
        }

        stream.Initialized = true;
    }
}
