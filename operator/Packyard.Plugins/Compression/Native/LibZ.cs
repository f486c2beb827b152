using System.Runtime.InteropServices;

namespace Packyard.Plugins.Compression.Native;

/// <summary>
/// zlib (Debian package zlib1g, a dependency of dpkg and apt) for reading gzip. <see cref="System.IO.Compression.GZipStream"/>
/// returns end of data when a gzip file is cut short, so truncated metadata would pass unnoticed; zlib's inflate reports it.
/// </summary>
internal static unsafe partial class LibZ
{
    private const string Library = "libz.so.1";

    /// <summary>15-bit window, gzip wrapper only (16 + 15).</summary>
    public const int GzipWindowBits = 31;

    public const int NoFlush = 0;

    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int NeedDict = 2;
    public const int StreamError = -2;
    public const int DataError = -3;
    public const int MemError = -4;
    public const int BufError = -5;

    /// <summary><c>z_stream</c> on LP64. zlib keeps a pointer to it, so it must live in native memory.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stream
    {
        public byte* NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public byte* Message;
        public nint State;
        public nint ZAlloc;
        public nint ZFree;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

    [LibraryImport(Library, EntryPoint = "inflateInit2_")]
    private static partial int InflateInit2(Stream* stream, int windowBits, byte* version, int streamSize);

    [LibraryImport(Library, EntryPoint = "inflate")]
    public static partial int Inflate(Stream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "inflateReset")]
    public static partial int InflateReset(Stream* stream);

    [LibraryImport(Library, EntryPoint = "inflateEnd")]
    public static partial int InflateEnd(Stream* stream);

    [LibraryImport(Library, EntryPoint = "zlibVersion")]
    private static partial byte* ZlibVersion();

    /// <summary><c>inflateInit2</c>, a macro in zlib.h passing the library's own version and the struct size.</summary>
    public static int InflateInit2(Stream* stream, int windowBits) => InflateInit2(stream, windowBits, ZlibVersion(), sizeof(Stream));

    public static string Describe(Stream* stream, int result)
    {
        var message = stream->Message is null ? null : Marshal.PtrToStringUTF8((nint)stream->Message);
        return result switch
        {
            DataError => $"compressed data is corrupt ({message ?? "invalid data"})",
            MemError => "out of memory",
            NeedDict => "needs a preset dictionary",
            _ => $"zlib error {result}{(message is null ? "" : $" ({message})")}",
        };
    }
}
