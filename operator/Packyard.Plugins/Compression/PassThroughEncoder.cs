namespace Packyard.Plugins.Compression;

/// <summary>No compression: copies input to output.</summary>
internal sealed class PassThroughEncoder : NativeEncoder
{
    public override EncodeStep Encode(ReadOnlySpan<byte> input, Span<byte> output, bool finish)
    {
        var count = Math.Min(input.Length, output.Length);
        input[..count].CopyTo(output);
        return new EncodeStep(count, count, Done: finish && input.IsEmpty);
    }

    public override void Dispose()
    {
    }
}
