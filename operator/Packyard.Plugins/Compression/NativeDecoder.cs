namespace Packyard.Plugins.Compression;

/// <summary>
/// One decompressor's native state behind a single step function. A decoder throws <see cref="InvalidDataException"/>
/// for corrupt data; <see cref="DecompressingStream"/> adds the source name and decides when the data is truncated.
/// </summary>
internal abstract class NativeDecoder : IDisposable
{
    /// <summary>
    /// Decodes as much of <paramref name="input"/> into <paramref name="output"/> as fits. <paramref name="inputEnded"/> says
    /// no input follows <paramref name="input"/>. <see cref="DecodeStep.Finished"/> means the data ended at a clean
    /// stream or frame boundary and nothing more will be written.
    /// </summary>
    public abstract DecodeStep Decode(ReadOnlySpan<byte> input, Span<byte> output, bool inputEnded);

    public abstract void Dispose();
}

/// <summary>What one <see cref="NativeDecoder.Decode"/> call did.</summary>
internal readonly record struct DecodeStep(int Consumed, int Written, bool Finished);
