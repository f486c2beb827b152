using Packyard.Plugins.Compression.Native;

namespace Packyard.Plugins.Compression;

/// <summary>gzip through zlib's inflate, which checks each member's CRC-32 and length; members one after another.</summary>
internal sealed unsafe class GzipDecoder : NativeDecoder
{
    private readonly ZStreamHandle stream = new();

    /// <summary>The last member ended; more input starts another.</summary>
    private bool memberEnded;

    public GzipDecoder()
    {
        var result = LibZ.InflateInit2(stream.Stream, LibZ.GzipWindowBits);
        if (result != LibZ.Ok)
        {
            stream.Dispose();
            throw new InvalidOperationException($"zlib could not start a gzip decoder: error {result}");
        }

        stream.Initialized = true;
    }

    public override DecodeStep Decode(ReadOnlySpan<byte> input, Span<byte> output, bool inputEnded)
    {
        var native = stream.Stream;
        if (memberEnded)
        {
            if (input.IsEmpty)
            {
                return new DecodeStep(0, 0, Finished: inputEnded);
            }

            LibZ.InflateReset(native);
            memberEnded = false;
        }

        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = output)
        {
            native->NextIn = inputPointer;
            native->AvailIn = (uint)input.Length;
            native->NextOut = outputPointer;
            native->AvailOut = (uint)output.Length;
            var result = LibZ.Inflate(native, LibZ.NoFlush);
            var consumed = input.Length - (int)native->AvailIn;
            var written = output.Length - (int)native->AvailOut;
            native->NextIn = null;
            native->NextOut = null;
            switch (result)
            {
                case LibZ.Ok or LibZ.BufError:
                    return new DecodeStep(consumed, written, Finished: false);
                case LibZ.StreamEnd:
                    memberEnded = true;
                    return new DecodeStep(consumed, written, Finished: false);
                default:
                    throw new InvalidDataException(LibZ.Describe(native, result));
            }
        }
    }

    public override void Dispose() => stream.Dispose();
}
