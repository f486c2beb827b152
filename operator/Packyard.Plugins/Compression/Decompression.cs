namespace Packyard.Plugins.Compression;

/// <summary>Streaming decompression of upstream metadata, bounded in memory and in output size.</summary>
public static class Decompression
{
    /// <summary>The longest magic number checked by <see cref="FromMagic"/> (xz's six bytes).</summary>
    public const int MagicLength = 6;

    /// <summary>File name suffix → format (.gz .xz .zst/.zstd .bz2 .lz4, any case; anything else <see cref="CompressionFormat.None"/>).</summary>
    public static CompressionFormat FromFileName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".gz" => CompressionFormat.Gzip,
            ".xz" => CompressionFormat.Xz,
            ".zst" or ".zstd" => CompressionFormat.Zstd,
            ".bz2" => CompressionFormat.Bzip2,
            ".lz4" => CompressionFormat.Lz4,
            _ => CompressionFormat.None,
        };
    }

    /// <summary>
    /// The format whose magic number <paramref name="header"/> starts with (gzip 1f8b, xz fd377a585a00, zstd 28b52ffd,
    /// bzip2 'BZh', lz4 frame 04224d18), or <see cref="CompressionFormat.None"/>.
    /// </summary>
    public static CompressionFormat FromMagic(ReadOnlySpan<byte> header) => header switch
    {
        [0x1f, 0x8b, ..] => CompressionFormat.Gzip,
        [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, ..] => CompressionFormat.Xz,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => CompressionFormat.Zstd,
        [(byte)'B', (byte)'Z', (byte)'h', ..] => CompressionFormat.Bzip2,
        [0x04, 0x22, 0x4d, 0x18, ..] => CompressionFormat.Lz4,
        _ => CompressionFormat.None,
    };

    /// <summary>
    /// A read-only stream of the decompressed bytes of <paramref name="compressed"/>, which it reads in 64 KiB pieces and
    /// disposes with itself; <paramref name="compressed"/> need not be seekable. The format is taken from the first bytes on
    /// the first read: <paramref name="format"/> <see cref="CompressionFormat.None"/> means "whatever the magic says, else
    /// uncompressed"; a declared format whose magic is missing fails unless the bytes carry another format's magic.
    /// Reads throw <see cref="Downloads.InvalidUpstreamMetadataException"/>, naming <paramref name="sourceName"/>, when the
    /// output exceeds <paramref name="maxDecompressedBytes"/> (a decompression bomb), the data is corrupt, or it ends before
    /// the end of the compressed stream (truncated).
    /// </summary>
    public static Stream Open(Stream compressed, CompressionFormat format, long maxDecompressedBytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown compression format");
        }

        return new DecompressingStream(compressed, format, maxDecompressedBytes, sourceName);
    }

    internal static NativeDecoder CreateDecoder(CompressionFormat format) => format switch
    {
        CompressionFormat.Gzip => new GzipDecoder(),
        CompressionFormat.Xz => new XzDecoder(),
        CompressionFormat.Zstd => new ZstdDecoder(),
        CompressionFormat.Bzip2 => new Bzip2Decoder(),
        CompressionFormat.Lz4 => new Lz4Decoder(),
        _ => new PassThroughDecoder(),
    };
}
