using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>libbz2 (Debian package libbz2-1.0): bzip2 streams.</summary>
internal static unsafe partial class LibBz2
{
    private const string Library = "libbz2.so.1.0";

    public const int Run = 0;
    public const int Finish = 2;

    public const int Ok = 0;
    public const int RunOk = 1;
    public const int FinishOk = 3;
    public const int StreamEnd = 4;
    public const int MemError = -3;
    public const int DataError = -4;
    public const int DataErrorMagic = -5;

    /// <summary><c>bz_stream</c>. libbz2 keeps a pointer to it, so it must live in native memory.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stream
    {
        public byte* NextIn;
        public uint AvailIn;
        public uint TotalInLo32;
        public uint TotalInHi32;
        public byte* NextOut;
        public uint AvailOut;
        public uint TotalOutLo32;
        public uint TotalOutHi32;
        public nint State;
        public nint BzAlloc;
        public nint BzFree;
        public nint Opaque;
    }

    [LibraryImport(Library, EntryPoint = "BZ2_bzDecompressInit")]
    public static partial int DecompressInit(Stream* stream, int verbosity, int small);

    [LibraryImport(Library, EntryPoint = "BZ2_bzDecompress")]
    public static partial int Decompress(Stream* stream);

    [LibraryImport(Library, EntryPoint = "BZ2_bzDecompressEnd")]
    public static partial int DecompressEnd(Stream* stream);

    [LibraryImport(Library, EntryPoint = "BZ2_bzCompressInit")]
    public static partial int CompressInit(Stream* stream, int blockSize100k, int verbosity, int workFactor);

    [LibraryImport(Library, EntryPoint = "BZ2_bzCompress")]
    public static partial int Compress(Stream* stream, int action);

    [LibraryImport(Library, EntryPoint = "BZ2_bzCompressEnd")]
    public static partial int CompressEnd(Stream* stream);

    public static string Describe(int result) => result switch
    {
        MemError => "out of memory",
        DataError => "compressed data is corrupt",
        DataErrorMagic => "not in the bzip2 format",
        _ => $"libbz2 error {result}",
    };
}
