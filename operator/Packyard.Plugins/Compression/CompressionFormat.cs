namespace Packyard.Plugins.Compression;

/// <summary>How a file's bytes are compressed.</summary>
public enum CompressionFormat
{
    /// <summary>Not compressed.</summary>
    None,

    /// <summary>gzip (RFC 1952), one or more members.</summary>
    Gzip,

    /// <summary>xz (.xz container of LZMA2), one or more streams.</summary>
    Xz,

    /// <summary>Zstandard, one or more frames.</summary>
    Zstd,

    /// <summary>bzip2, one or more streams.</summary>
    Bzip2,

    /// <summary>LZ4 frame format (not the legacy format); decompression only.</summary>
    Lz4,
}
