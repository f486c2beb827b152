using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>liblz4 (Debian package liblz4-1): the LZ4 frame format.</summary>
internal static unsafe partial class LibLz4
{
    private const string Library = "liblz4.so.1";

    /// <summary><c>LZ4F_VERSION</c>.</summary>
    public const uint FrameVersion = 100;

    [LibraryImport(Library, EntryPoint = "LZ4F_createDecompressionContext")]
    public static partial nuint CreateDecompressionContext(out Lz4DecompressionContextHandle context, uint version);

    [LibraryImport(Library, EntryPoint = "LZ4F_freeDecompressionContext")]
    public static partial nuint FreeDecompressionContext(nint context);

    [LibraryImport(Library, EntryPoint = "LZ4F_decompress")]
    public static partial nuint Decompress(
        Lz4DecompressionContextHandle context, byte* destination, nuint* destinationSize, byte* source, nuint* sourceSize, void* options);

    [LibraryImport(Library, EntryPoint = "LZ4F_isError")]
    public static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "LZ4F_getErrorName")]
    private static partial byte* GetErrorName(nuint code);

    public static string ErrorName(nuint code) => Marshal.PtrToStringUTF8((nint)GetErrorName(code)) ?? $"lz4 error {code}";
}
