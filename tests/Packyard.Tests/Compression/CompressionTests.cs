using System.Diagnostics;
using Packyard.Plugins.Compression;
using Xunit.Abstractions;
using Compressor = Packyard.Plugins.Compression.Compression;

namespace Packyard.Tests.Compression;

public sealed class CompressionTests(CompressionFilesFixture files, ITestOutputHelper output) : IClassFixture<CompressionFilesFixture>
{
    public static TheoryData<CompressionFormat, bool> WritableFormatsSyncAndAsync()
    {
        var data = new TheoryData<CompressionFormat, bool>();
        foreach (var format in new[] { CompressionFormat.Gzip, CompressionFormat.Xz, CompressionFormat.Zstd, CompressionFormat.Bzip2 })
        {
            data.Add(format, false);
            data.Add(format, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WritableFormatsSyncAndAsync))]
    public async Task Output_decompresses_with_the_command_line_tool_to_identical_bytes(CompressionFormat format, bool async)
    {
        var (tool, suffix) = CompressionTool.For(format);
        var name = $"ours-{format}-{async}{suffix}";
        var original = File.ReadAllBytes(files.SmallPath);

        var stopwatch = Stopwatch.StartNew();
        await using (var file = File.Create(Path.Combine(files.Folder, name)))
        await using (var stream = Compressor.Create(file, format))
        {
            // Uneven pieces, so the encoder sees writes smaller and larger than its buffers.
            for (var offset = 0; offset < original.Length; offset += 100_003)
            {
                var piece = original.AsMemory(offset, Math.Min(100_003, original.Length - offset));
                if (async)
                {
                    await stream.WriteAsync(piece);
                }
                else
                {
                    stream.Write(piece.Span);
                }
            }
        }

        output.WriteLine($"{format}: 1,000,000 bytes to {new FileInfo(Path.Combine(files.Folder, name)).Length:N0} in {stopwatch.ElapsedMilliseconds} ms");
        await CompressionTool.RunAsync($"{tool} -dc < {name} > {name}.out", files.Folder);
        Assert.Equal(original, File.ReadAllBytes(Path.Combine(files.Folder, $"{name}.out")));
    }

    [Theory]
    [InlineData(CompressionFormat.Xz)]
    [InlineData(CompressionFormat.Zstd)]
    public async Task Xz_and_zstd_output_carry_a_checksum_the_tool_verifies(CompressionFormat format)
    {
        var (tool, suffix) = CompressionTool.For(format);
        var name = $"checked-{format}{suffix}";
        await using (var stream = Compressor.Create(File.Create(Path.Combine(files.Folder, name)), format))
        {
            await stream.WriteAsync(File.ReadAllBytes(files.SmallPath));
        }

        var bytes = File.ReadAllBytes(Path.Combine(files.Folder, name));
        bytes[^6] ^= 0xff;
        File.WriteAllBytes(Path.Combine(files.Folder, name), bytes);

        await Assert.ThrowsAsync<InvalidOperationException>(() => CompressionTool.RunAsync($"{tool} -t {name}", files.Folder));
    }

    [Theory]
    [InlineData(CompressionFormat.Gzip)]
    [InlineData(CompressionFormat.Xz)]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.None)]
    public async Task Output_round_trips_through_decompression(CompressionFormat format)
    {
        var original = CompressionFilesFixture.Text(200_000, seed: 7);
        using var compressed = new MemoryStream();
        using (var stream = Compressor.Create(compressed, format, leaveOpen: true))
        {
            stream.Write(original);
        }

        compressed.Position = 0;
        using var decompressed = new MemoryStream();
        await using (var stream = Decompression.Open(compressed, format, long.MaxValue, "round trip"))
        {
            await stream.CopyToAsync(decompressed);
        }

        Assert.Equal(original, decompressed.ToArray());
    }

    [Theory]
    [InlineData(CompressionFormat.Gzip)]
    [InlineData(CompressionFormat.Xz)]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Bzip2)]
    public async Task Empty_input_makes_a_valid_empty_file(CompressionFormat format)
    {
        var (tool, suffix) = CompressionTool.For(format);
        var name = $"empty-{format}{suffix}";
        await using (Compressor.Create(File.Create(Path.Combine(files.Folder, name)), format))
        {
        }

        await CompressionTool.RunAsync($"{tool} -dc < {name} > {name}.out", files.Folder);
        Assert.Empty(File.ReadAllBytes(Path.Combine(files.Folder, $"{name}.out")));
    }

    [Theory]
    [InlineData(CompressionFormat.Gzip, true)]
    [InlineData(CompressionFormat.Gzip, false)]
    [InlineData(CompressionFormat.Xz, true)]
    [InlineData(CompressionFormat.Xz, false)]
    [InlineData(CompressionFormat.Zstd, true)]
    [InlineData(CompressionFormat.Zstd, false)]
    public void Dispose_closes_the_output_unless_leave_open(CompressionFormat format, bool leaveOpen)
    {
        var target = new MemoryStream();
        var stream = Compressor.Create(target, format, leaveOpen);
        stream.Write("Package: a\n"u8);

        stream.Dispose();
        stream.Dispose();

        Assert.Equal(leaveOpen, target.CanWrite);
        Assert.False(stream.CanWrite);
    }

    [Fact]
    public async Task Fifty_megabytes_compress_to_zstd_in_bounded_memory()
    {
        var buffer = new byte[64 * 1024];
        var stopwatch = Stopwatch.StartNew();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        using (var input = File.OpenRead(files.LargePath))
        using (var stream = Compressor.Create(File.Create(Path.Combine(files.Folder, "ours-large.zst")), CompressionFormat.Zstd))
        {
            int count;
            while ((count = input.Read(buffer)) > 0)
            {
                stream.Write(buffer, 0, count);
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        output.WriteLine($"50 MB to zstd in {stopwatch.ElapsedMilliseconds} ms, {allocated:N0} bytes allocated");
        Assert.True(allocated < 1_000_000, $"allocated {allocated:N0} bytes");
        await CompressionTool.RunAsync("zstd -q -dc < ours-large.zst | cmp - large", files.Folder);
    }

    [Fact]
    public void Lz4_compression_is_not_supported()
    {
        Assert.Throws<NotSupportedException>(() => Compressor.Create(new MemoryStream(), CompressionFormat.Lz4));
    }
}
