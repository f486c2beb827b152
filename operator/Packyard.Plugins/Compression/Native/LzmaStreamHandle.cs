using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>An <c>lzma_stream</c> in native memory; releasing it runs <c>lzma_end</c> and frees the memory, once.</summary>
internal sealed unsafe class LzmaStreamHandle : SafeHandle
{
    public LzmaStreamHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle((nint)NativeMemory.AllocZeroed((nuint)sizeof(LibLzma.Stream)));
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public LibLzma.Stream* Stream => (LibLzma.Stream*)handle;

    /// <summary>One <c>lzma_code</c> call over <paramref name="input"/> into <paramref name="output"/> (encoding or decoding alike).</summary>
    public (LibLzma.Result Result, int Consumed, int Written) Code(ReadOnlySpan<byte> input, Span<byte> output, LibLzma.Action action)
    {
        var native = Stream;
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = output)
        {
            native->NextIn = inputPointer;
            native->AvailIn = (nuint)input.Length;
            native->NextOut = outputPointer;
            native->AvailOut = (nuint)output.Length;
            var result = LibLzma.Code(native, action);
            var consumed = input.Length - (int)native->AvailIn;
            var written = output.Length - (int)native->AvailOut;
            native->NextIn = null;
            native->NextOut = null;
            return (result, consumed, written);
        }
    }

    protected override bool ReleaseHandle()
    {
        LibLzma.End((LibLzma.Stream*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
