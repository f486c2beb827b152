using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>
/// A <c>bz_stream</c> in native memory. <see cref="Initialized"/> says whether libbz2 holds state for it; releasing ends
/// that state (with the decompress or compress end function) and frees the memory, once.
/// </summary>
internal sealed unsafe class Bz2StreamHandle : SafeHandle
{
    public Bz2StreamHandle(bool compress)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Compress = compress;
        SetHandle((nint)NativeMemory.AllocZeroed((nuint)sizeof(LibBz2.Stream)));
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public bool Compress { get; }

    public bool Initialized { get; set; }

    public LibBz2.Stream* Stream => (LibBz2.Stream*)handle;

    /// <summary>Ends libbz2's state for the stream, if any, leaving the memory for a new init.</summary>
    public void EndState()
    {
        if (!Initialized)
        {
            return;
        }

        Initialized = false;
        _ = Compress ? LibBz2.CompressEnd(Stream) : LibBz2.DecompressEnd(Stream);
        *Stream = default;
    }

    protected override bool ReleaseHandle()
    {
        EndState();
        NativeMemory.Free((void*)handle);
        return true;
    }
}
