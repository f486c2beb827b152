using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>libzstd (Debian package libzstd1): Zstandard frames.</summary>
internal static unsafe partial class LibZstd
{
    private const string Library = "libzstd.so.1";

    /// <summary><c>ZSTD_c_compressionLevel</c>.</summary>
    public const int CompressionLevelParameter = 100;

    /// <summary><c>ZSTD_c_checksumFlag</c>: write a content checksum, as the <c>zstd</c> tool does.</summary>
    public const int ChecksumFlagParameter = 201;

    public enum EndDirective
    {
        Continue = 0,
        Flush = 1,
        End = 2,
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct InBuffer
    {
        public byte* Source;
        public nuint Size;
        public nuint Position;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct OutBuffer
    {
        public byte* Destination;
        public nuint Size;
        public nuint Position;
    }

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    public static partial ZstdDecompressionContextHandle CreateDCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    public static partial nuint FreeDCtx(nint context);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressStream")]
    public static partial nuint DecompressStream(ZstdDecompressionContextHandle context, OutBuffer* output, InBuffer* input);

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    public static partial ZstdCompressionContextHandle CreateCCtx();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    public static partial nuint FreeCCtx(nint context);

    [LibraryImport(Library, EntryPoint = "ZSTD_CCtx_setParameter")]
    public static partial nuint SetParameter(ZstdCompressionContextHandle context, int parameter, int value);

    [LibraryImport(Library, EntryPoint = "ZSTD_compressStream2")]
    public static partial nuint CompressStream2(ZstdCompressionContextHandle context, OutBuffer* output, InBuffer* input, EndDirective endOp);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    public static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    private static partial byte* GetErrorName(nuint code);

    public static string ErrorName(nuint code) => Marshal.PtrToStringUTF8((nint)GetErrorName(code)) ?? $"zstd error {code}";
}
