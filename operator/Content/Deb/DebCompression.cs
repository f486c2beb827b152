using System.IO.Compression;
using Packyard.Engine.Downloads;

namespace Packyard.Content.Deb;

/// <summary>The compressed variants of APT indices and .deb members this build reads and writes, best first.</summary>
internal static class DebCompression
{
    /// <summary>Index suffixes in order of preference when syncing.</summary>
    public static IReadOnlyList<string> ReadableSuffixes { get; } = [".gz", ""];

    /// <summary>Opens a decompressing, bounded reader for a file with <paramref name="suffix"/>.</summary>
    public static Stream OpenRead(Stream compressed, string suffix, long maxDecompressedBytes, string sourceName)
    {
        Stream plain = suffix switch
        {
            "" => compressed,
            ".gz" => new GZipStream(compressed, CompressionMode.Decompress),
            _ => throw new InvalidUpstreamMetadataException($"{sourceName}: compression '{suffix}' is not supported by this build"),
        };
        return new BoundedReadStream(plain, maxDecompressedBytes, sourceName, "SyncLimits.MaxDecompressedBytes");
    }
}
