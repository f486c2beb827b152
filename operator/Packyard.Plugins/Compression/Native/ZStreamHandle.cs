using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>A <c>z_stream</c> in native memory; releasing it ends the inflate state (if initialised) and frees the memory, once.</summary>
internal sealed unsafe class ZStreamHandle : SafeHandle
{
    public ZStreamHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle((nint)NativeMemory.AllocZeroed((nuint)sizeof(LibZ.Stream)));
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public bool Initialized { get; set; }

    public LibZ.Stream* Stream => (LibZ.Stream*)handle;

    protected override bool ReleaseHandle()
    {
        if (Initialized)
        {
            LibZ.InflateEnd((LibZ.Stream*)handle);
        }

        NativeMemory.Free((void*)handle);
        return true;
    }
}
