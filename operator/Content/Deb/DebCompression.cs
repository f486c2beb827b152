using System.IO.Compression;
using Packyard.Engine.Downloads;

namespace Packyard.Content.Deb;

/// <summary>The compressed variants of APT indices and .deb members this build reads and writes, best first.</summary>
internal static class DebCompression
{
    /// <summary>Index suffixes in order of preference when syncing.</summary>
    public static IReadOnlyList<string> ReadableSuffixes { get; } = [".gz", ""];

    /// <summary>Opens a decompressing, bounded reader for a file with <paramref name="suffix"/>.</summary>
    public static BoundedReadStream OpenRead(Stream compressed, string suffix, long maxDecompressedBytes, string sourceName)
    {
        Stream plain = suffix switch
        {
            "" => compressed,
            ".gz" => new GZipStream(compressed, CompressionMode.Decompress),
            _ => throw new InvalidUpstreamMetadataException($"{sourceName}: compression '{suffix}' is not supported by this build"),
        };
        return new BoundedReadStream(plain, maxDecompressedBytes, sourceName, "SyncLimits.MaxDecompressedBytes");
    }

    /// <summary>
    /// .NET's gzip reader ends quietly at a truncated input; the trailer's ISIZE (decompressed length mod 2^32) of a
    /// complete file matches what was decompressed, a cut-off file's last bytes almost never do.
    /// </summary>
    public static void CheckGzipTrailer(ReadOnlySpan<byte> tail, long decompressed, string sourceName)
    {
        if (tail.Length < 8 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]) != (uint)decompressed)
        {
            throw new InvalidUpstreamMetadataException($"{sourceName} is corrupt or truncated: its gzip trailer does not match the {decompressed} bytes it decompressed to");
        }
    }
}
