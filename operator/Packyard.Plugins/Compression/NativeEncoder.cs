namespace Packyard.Plugins.Compression;

/// <summary>One compressor's native state behind a single step function.</summary>
internal abstract class NativeEncoder : IDisposable
{
    /// <summary>
    /// Compresses as much of <paramref name="input"/> into <paramref name="output"/> as fits. With <paramref name="finish"/>
    /// (and empty input) it writes the end of the stream; <see cref="EncodeStep.Done"/> says all of it has been written.
    /// </summary>
    public abstract EncodeStep Encode(ReadOnlySpan<byte> input, Span<byte> output, bool finish);

    public abstract void Dispose();
}

/// <summary>What one <see cref="NativeEncoder.Encode"/> call did.</summary>
internal readonly record struct EncodeStep(int Consumed, int Written, bool Done);
