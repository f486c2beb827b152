using System.IO.Compression;

namespace Packyard.Plugins.Compression;

/// <summary>Streaming compression for published metadata (Packages.xz, primary.xml.zst, …), in bounded memory.</summary>
public static class Compression
{
    /// <summary>
    /// A write-only stream compressing into <paramref name="output"/>: gzip through <see cref="GZipStream"/> at
    /// <see cref="CompressionLevel.Optimal"/>; xz at preset 6 with a CRC-64 check; zstd at level 3 with a checksum; bzip2
    /// with 900 KB blocks; <see cref="CompressionFormat.None"/> copies. Dispose finishes the compressed stream and disposes
    /// <paramref name="output"/> unless <paramref name="leaveOpen"/>, as <see cref="GZipStream"/> does. LZ4 is read-only.
    /// </summary>
    public static Stream Create(Stream output, CompressionFormat format, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        return format switch
        {
            CompressionFormat.Gzip => new GzipCompressingStream(output, leaveOpen),
            CompressionFormat.Xz => new CompressingStream(output, new XzEncoder(), leaveOpen),
            CompressionFormat.Zstd => new CompressingStream(output, new ZstdEncoder(), leaveOpen),
            CompressionFormat.Bzip2 => new CompressingStream(output, new Bzip2Encoder(), leaveOpen),
            CompressionFormat.None => new CompressingStream(output, new PassThroughEncoder(), leaveOpen),
            CompressionFormat.Lz4 => throw new NotSupportedException("Packyard reads lz4 but does not write it"),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown compression format"),
        };
    }

    /// <summary>An xz stream as <see cref="Create"/> makes, at liblzma preset <paramref name="preset"/> (0 fastest … 9 smallest).</summary>
    public static Stream CreateXz(Stream output, int preset, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        return new CompressingStream(output, new XzEncoder(preset), leaveOpen);
    }
}
