using System.Runtime.InteropServices;

namespace Packyard.Engine.Compression.Native;

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

    protected override bool ReleaseHandle()
    {
        LibLzma.End((LibLzma.Stream*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
