using Packyard.Plugins.Compression.Native;

namespace Packyard.Plugins.Compression;

/// <summary>.xz through liblzma's easy encoder with a CRC-64 check, by default at preset 6 (what <c>xz</c> uses by default).</summary>
internal sealed unsafe class XzEncoder : NativeEncoder
{
    public const int DefaultPreset = 6;

    private readonly LzmaStreamHandle stream = new();

    public XzEncoder(int preset = DefaultPreset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(preset, 9);
        var result = LibLzma.EasyEncoder(stream.Stream, (uint)preset, LibLzma.CheckCrc64);
        if (result != LibLzma.Result.Ok)
        {
            stream.Dispose();
            throw new InvalidOperationException($"liblzma could not start an xz encoder: {LibLzma.Describe(result)}");
        }
    }

    public override EncodeStep Encode(ReadOnlySpan<byte> input, Span<byte> output, bool finish)
    {
        var (result, consumed, written) = stream.Code(input, output, finish ? LibLzma.Action.Finish : LibLzma.Action.Run);
        return result switch
        {
            LibLzma.Result.Ok => new EncodeStep(consumed, written, Done: false),
            LibLzma.Result.StreamEnd => new EncodeStep(consumed, written, Done: true),
            _ => throw new InvalidOperationException($"liblzma failed to compress: {LibLzma.Describe(result)}"),
        };
    }

    public override void Dispose() => stream.Dispose();
}
