namespace Packyard.Plugins.Compression;

/// <summary>Uncompressed data: copies input to output, so the size limit still applies.</summary>
internal sealed class PassThroughDecoder : NativeDecoder
{
    public override DecodeStep Decode(ReadOnlySpan<byte> input, Span<byte> output, bool inputEnded)
    {
        var count = Math.Min(input.Length, output.Length);
        input[..count].CopyTo(output);
        return new DecodeStep(count, count, Finished: inputEnded && input.IsEmpty);
    }

    public override void Dispose()
    {
    }
}
