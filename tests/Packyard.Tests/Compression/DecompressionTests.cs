using System.Diagnostics;
using System.Security.Cryptography;
using Packyard.Plugins.Compression;
using Packyard.Engine.Downloads;
using Xunit.Abstractions;

namespace Packyard.Tests.Compression;

public sealed class DecompressionTests(CompressionFilesFixture files, ITestOutputHelper output) : IClassFixture<CompressionFilesFixture>
{
    private const long NoLimit = long.MaxValue;

    private static readonly CompressionFormat[] AllFormats =
        [CompressionFormat.Gzip, CompressionFormat.Xz, CompressionFormat.Zstd, CompressionFormat.Bzip2, CompressionFormat.Lz4];

    public static TheoryData<CompressionFormat> Formats() => new(AllFormats);

    public static TheoryData<CompressionFormat, bool> FormatsSyncAndAsync()
    {
        var data = new TheoryData<CompressionFormat, bool>();
        foreach (var format in AllFormats)
        {
            data.Add(format, false);
            data.Add(format, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FormatsSyncAndAsync))]
    public async Task Data_compressed_by_the_command_line_tool_decompresses_to_identical_bytes(CompressionFormat format, bool async)
    {
        var compressed = await files.SmallAsync(format);

        var bytes = await DecompressAsync(File.ReadAllBytes(compressed), format, NoLimit, async);

        Assert.Equal(File.ReadAllBytes(files.SmallPath), bytes);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Fifty_megabyte_file_streams_from_a_non_seekable_input_in_bounded_memory(CompressionFormat format)
    {
        var compressed = await files.LargeAsync(format);
        var expected = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(files.LargePath)));
        var buffer = new byte[64 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var stopwatch = Stopwatch.StartNew();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        using (var stream = Decompression.Open(new NonSeekableStream(File.OpenRead(compressed)), format, NoLimit, "large"))
        {
            int count;
            while ((count = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, count);
                total += count;
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        output.WriteLine($"{format}: {new FileInfo(compressed).Length:N0} compressed bytes, {total:N0} out in {stopwatch.ElapsedMilliseconds} ms, {allocated:N0} bytes allocated");
        Assert.Equal(CompressionFilesFixture.LargeSize, total);
        Assert.Equal(expected, Convert.ToHexString(hash.GetHashAndReset()));
        Assert.True(allocated < 1_000_000, $"allocated {allocated:N0} bytes to stream {total:N0}");
    }

    [Theory]
    [MemberData(nameof(FormatsSyncAndAsync))]
    public async Task Truncated_file_fails_naming_the_source_and_saying_truncated(CompressionFormat format, bool async)
    {
        var compressed = File.ReadAllBytes(await files.SmallAsync(format));

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(
            () => DecompressAsync(compressed[..(compressed.Length / 2)], format, NoLimit, async, "dists/stable/main/Packages"));

        Assert.Contains("dists/stable/main/Packages", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task File_cut_right_after_its_header_fails_as_truncated(CompressionFormat format)
    {
        var compressed = File.ReadAllBytes(await files.SmallAsync(format));

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(
            () => DecompressAsync(compressed[..12], format, NoLimit, async: true, "repodata/primary.xml"));

        Assert.Contains("repodata/primary.xml is truncated", error.Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Corrupt_bytes_fail_naming_the_source_and_the_format(CompressionFormat format)
    {
        var compressed = File.ReadAllBytes(await files.SmallAsync(format));
        for (var i = compressed.Length / 2; i < compressed.Length / 2 + 16; i++)
        {
            compressed[i] ^= 0x5a;
        }

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(
            () => DecompressAsync(compressed, format, NoLimit, async: true, "Packages"));

        output.WriteLine(error.Message);
        Assert.StartsWith($"Packages is not valid {CompressionTool.For(format).Suffix.TrimStart('.').Replace("gz", "gzip").Replace("zst", "zstd").Replace("bz2", "bzip2")} data: ", error.Message);
    }

    [Theory]
    [MemberData(nameof(FormatsSyncAndAsync))]
    public async Task Decompression_bomb_fails_fast_with_the_limit_message(CompressionFormat format, bool async)
    {
        var bomb = await files.BombAsync(format);
        output.WriteLine($"{format}: 1 GiB of zeros in {new FileInfo(bomb).Length:N0} bytes");

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(async () =>
        {
            await using var stream = Decompression.Open(File.OpenRead(bomb), format, 10_000_000, "Packages.bomb");
            await DrainAsync(stream, async);
        });
        stopwatch.Stop();

        output.WriteLine($"failed after {stopwatch.ElapsedMilliseconds} ms: {error.Message}");
        Assert.Contains("Packages.bomb decompresses to more than 10000000 bytes (limit", error.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Concatenated_streams_decompress_fully(CompressionFormat format)
    {
        var (tool, suffix) = CompressionTool.For(format);
        await File.WriteAllBytesAsync(Path.Combine(files.Folder, $"second-{format}"), CompressionFilesFixture.Text(300_000, seed: 99));
        await CompressionTool.RunAsync(
            $"{tool} -c < small > first-{format}{suffix}; {tool} -c < second-{format} > second-{format}{suffix}; "
            + $"cat first-{format}{suffix} second-{format}{suffix} > both-{format}{suffix}",
            files.Folder);

        var bytes = await DecompressAsync(File.ReadAllBytes(Path.Combine(files.Folder, $"both-{format}{suffix}")), format, NoLimit, async: true);

        Assert.Equal([.. File.ReadAllBytes(files.SmallPath), .. CompressionFilesFixture.Text(300_000, seed: 99)], bytes);
    }

    [Theory]
    [InlineData("Packages.gz", CompressionFormat.Gzip)]
    [InlineData("Packages.xz", CompressionFormat.Xz)]
    [InlineData("primary.xml.zst", CompressionFormat.Zstd)]
    [InlineData("primary.xml.zstd", CompressionFormat.Zstd)]
    [InlineData("Sources.bz2", CompressionFormat.Bzip2)]
    [InlineData("Contents-amd64.lz4", CompressionFormat.Lz4)]
    [InlineData("dists/stable/InRelease", CompressionFormat.None)]
    [InlineData("PACKAGES.GZ", CompressionFormat.Gzip)]
    [InlineData("archive.tar", CompressionFormat.None)]
    [InlineData("gz", CompressionFormat.None)]
    public void File_name_suffix_gives_the_format(string name, CompressionFormat expected)
    {
        Assert.Equal(expected, Decompression.FromFileName(name));
    }

    [Theory]
    [InlineData("1f8b0800", CompressionFormat.Gzip)]
    [InlineData("fd377a585a00", CompressionFormat.Xz)]
    [InlineData("fd377a585a01", CompressionFormat.None)]
    [InlineData("28b52ffd", CompressionFormat.Zstd)]
    [InlineData("425a6839", CompressionFormat.Bzip2)]
    [InlineData("04224d18", CompressionFormat.Lz4)]
    [InlineData("5061636b", CompressionFormat.None)]
    [InlineData("1f", CompressionFormat.None)]
    [InlineData("", CompressionFormat.None)]
    public void Magic_bytes_give_the_format(string header, CompressionFormat expected)
    {
        Assert.Equal(expected, Decompression.FromMagic(Convert.FromHexString(header)));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Format_none_sniffs_compressed_data_by_its_magic(CompressionFormat format)
    {
        var bytes = await DecompressAsync(File.ReadAllBytes(await files.SmallAsync(format)), CompressionFormat.None, NoLimit, async: true);

        Assert.Equal(File.ReadAllBytes(files.SmallPath), bytes);
    }

    [Fact]
    public async Task Mislabelled_file_decompresses_by_its_magic()
    {
        var bytes = await DecompressAsync(File.ReadAllBytes(await files.SmallAsync(CompressionFormat.Xz)), CompressionFormat.Gzip, NoLimit, async: false);

        Assert.Equal(File.ReadAllBytes(files.SmallPath), bytes);
    }

    [Fact]
    public async Task Uncompressed_data_passes_through_under_format_none()
    {
        var bytes = await DecompressAsync("Package: a\n"u8.ToArray(), CompressionFormat.None, NoLimit, async: true);

        Assert.Equal("Package: a\n"u8.ToArray(), bytes);
    }

    [Fact]
    public async Task Empty_uncompressed_data_is_empty()
    {
        Assert.Empty(await DecompressAsync([], CompressionFormat.None, NoLimit, async: false));
    }

    [Fact]
    public async Task Uncompressed_data_over_the_limit_fails_naming_the_source()
    {
        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(
            () => DecompressAsync(new byte[1000], CompressionFormat.None, 999, async: true, "Release"));

        Assert.Equal("Release is larger than 999 bytes (limit SyncLimits.MaxDecompressedBytes)", error.Message);
    }

    [Fact]
    public async Task Output_of_exactly_the_limit_is_allowed()
    {
        var bytes = await DecompressAsync(File.ReadAllBytes(await files.SmallAsync(CompressionFormat.Zstd)), CompressionFormat.Zstd, 1_000_000, async: true);

        Assert.Equal(1_000_000, bytes.Length);
    }

    [Fact]
    public async Task Data_without_the_declared_magic_fails_naming_the_source()
    {
        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(
            () => DecompressAsync("<html>Not found</html>"u8.ToArray(), CompressionFormat.Gzip, NoLimit, async: true, "Packages.gz"));

        Assert.Equal("Packages.gz is not gzip data: it does not start with gzip's magic number", error.Message);
    }

    [Fact]
    public async Task Empty_file_declared_compressed_fails_as_truncated()
    {
        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(
            () => DecompressAsync([], CompressionFormat.Xz, NoLimit, async: true, "Packages.xz"));

        Assert.Contains("Packages.xz is truncated", error.Message);
    }

    [Fact]
    public async Task Cancelled_read_async_throws_operation_cancelled()
    {
        await using var stream = Decompression.Open(File.OpenRead(await files.SmallAsync(CompressionFormat.Xz)), CompressionFormat.Xz, NoLimit, "Packages.xz");
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[1024], cancellation.Token).AsTask());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Dispose_twice_is_harmless_and_disposes_the_source(CompressionFormat format)
    {
        var source = new NonSeekableStream(File.OpenRead(await files.SmallAsync(format)));
        var stream = Decompression.Open(source, format, NoLimit, "Packages");
        Assert.NotEqual(0, stream.Read(new byte[100]));

        stream.Dispose();
        stream.Dispose();
        await stream.DisposeAsync();

        Assert.True(source.Disposed);
        Assert.Throws<ObjectDisposedException>(() => stream.Read(new byte[100]));
    }

    [Fact]
    public async Task Reading_one_byte_at_a_time_gives_the_same_bytes()
    {
        using var stream = Decompression.Open(File.OpenRead(await files.SmallAsync(CompressionFormat.Bzip2)), CompressionFormat.Bzip2, NoLimit, "Sources.bz2");
        var bytes = new List<byte>();
        int value;
        while ((value = stream.ReadByte()) >= 0)
        {
            bytes.Add((byte)value);
            if (bytes.Count == 70_000)
            {
                break;
            }
        }

        Assert.Equal(File.ReadAllBytes(files.SmallPath)[..70_000], bytes);
    }

    private static async Task<byte[]> DecompressAsync(byte[] compressed, CompressionFormat format, long limit, bool async, string sourceName = "test")
    {
        await using var stream = Decompression.Open(new NonSeekableStream(new MemoryStream(compressed)), format, limit, sourceName);
        using var result = new MemoryStream();
        if (async)
        {
            await stream.CopyToAsync(result);
        }
        else
        {
            stream.CopyTo(result);
        }

        return result.ToArray();
    }

    private static async Task DrainAsync(Stream stream, bool async)
    {
        var buffer = new byte[64 * 1024];
        while ((async ? await stream.ReadAsync(buffer) : stream.Read(buffer)) > 0)
        {
        }
    }
}
