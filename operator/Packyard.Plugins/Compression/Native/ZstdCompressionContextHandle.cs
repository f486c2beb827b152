using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>A <c>ZSTD_CCtx*</c>, freed once.</summary>
internal sealed class ZstdCompressionContextHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => LibZstd.FreeCCtx(handle) == 0;
}
