using Packyard.Plugins.Compression;

namespace Packyard.Content.Deb;

/// <summary>The compressed variants of APT indices and .deb members this content type reads and writes, best first.</summary>
internal static class DebCompression
{
    /// <summary>Index suffixes in order of preference when syncing: xz, gzip, plain.</summary>
    public static IReadOnlyList<string> ReadableSuffixes { get; } = [".xz", ".gz", ""];

    /// <summary>
    /// A decompressing reader for a file named with <paramref name="suffix"/> (.xz, .gz, .zst, .bz2 or none), bounded to
    /// <paramref name="maxDecompressedBytes"/>; corrupt, truncated or oversized input fails naming <paramref name="sourceName"/>.
    /// </summary>
    public static Stream OpenRead(Stream compressed, string suffix, long maxDecompressedBytes, string sourceName) =>
        Decompression.Open(compressed, suffix.Length == 0 ? CompressionFormat.None : Decompression.FromFileName("x" + suffix), maxDecompressedBytes, sourceName);
}
