using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>liblzma (Debian package liblzma5): xz streams.</summary>
internal static unsafe partial class LibLzma
{
    private const string Library = "liblzma.so.5";

    /// <summary>Decode concatenated .xz streams (and stream padding) as one; needs <see cref="Action.Finish"/> at the end.</summary>
    public const uint Concatenated = 0x08;

    /// <summary><c>LZMA_CHECK_CRC64</c>, as <c>xz</c> writes by default.</summary>
    public const int CheckCrc64 = 4;

    public enum Action
    {
        Run = 0,
        Finish = 3,
    }

    public enum Result
    {
        Ok = 0,
        StreamEnd = 1,
        NoCheck = 2,
        UnsupportedCheck = 3,
        GetCheck = 4,
        MemError = 5,
        MemlimitError = 6,
        FormatError = 7,
        OptionsError = 8,
        DataError = 9,
        BufError = 10,
        ProgError = 11,
    }

    /// <summary><c>lzma_stream</c>. liblzma keeps no pointer to it, but it lives in native memory so it never moves.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stream
    {
        public byte* NextIn;
        public nuint AvailIn;
        public ulong TotalIn;
        public byte* NextOut;
        public nuint AvailOut;
        public ulong TotalOut;
        public nint Allocator;
        public nint Internal;
        public nint ReservedPtr1;
        public nint ReservedPtr2;
        public nint ReservedPtr3;
        public nint ReservedPtr4;
        public ulong SeekPos;
        public ulong ReservedInt2;
        public nuint ReservedInt3;
        public nuint ReservedInt4;
        public int ReservedEnum1;
        public int ReservedEnum2;
    }

    [LibraryImport(Library, EntryPoint = "lzma_stream_decoder")]
    public static partial Result StreamDecoder(Stream* stream, ulong memlimit, uint flags);

    [LibraryImport(Library, EntryPoint = "lzma_easy_encoder")]
    public static partial Result EasyEncoder(Stream* stream, uint preset, int check);

    [LibraryImport(Library, EntryPoint = "lzma_code")]
    public static partial Result Code(Stream* stream, Action action);

    [LibraryImport(Library, EntryPoint = "lzma_end")]
    public static partial void End(Stream* stream);

    public static string Describe(Result result) => result switch
    {
        Result.MemError => "out of memory",
        Result.MemlimitError => "needs more memory than the decoder's limit",
        Result.FormatError => "not in the .xz format",
        Result.OptionsError => "uses unsupported compression options",
        Result.DataError => "compressed data is corrupt",
        Result.BufError => "compressed data is truncated",
        _ => $"liblzma error {(int)result}",
    };
}
