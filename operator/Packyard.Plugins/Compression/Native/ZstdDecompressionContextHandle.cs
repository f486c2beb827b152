using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>A <c>ZSTD_DCtx*</c>, freed once.</summary>
internal sealed class ZstdDecompressionContextHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => LibZstd.FreeDCtx(handle) == 0;
}
