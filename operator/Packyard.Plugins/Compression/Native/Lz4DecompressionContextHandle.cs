using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>An <c>LZ4F_dctx*</c>, freed once.</summary>
internal sealed class Lz4DecompressionContextHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibLz4.FreeDecompressionContext(handle);
        return true;
    }
}
