using System.Text;
using Packyard.Engine.Downloads;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Versions;

namespace Packyard.Tests.Rpm;

/// <summary>
/// A signed RPM upstream whose location hrefs or files point out of it, with the right digests: the sync fails naming the problem,
/// and nothing outside the upstream is read or stored.
/// </summary>
public sealed class RpmHostileUpstreamTests(RpmFixture fixture) : IClassFixture<RpmFixture>, IDisposable
{
    private readonly TemporaryDirectory outside = new();

    private static async Task<RpmUpstream> UpstreamAsync()
    {
        var upstream = await RpmUpstream.CreateAsync();
        await upstream.AddAsync(new RpmSpec("alpha", "1.0"), new RpmSpec("beta", "2.0", "3"));
        await upstream.IndexAsync();
        return upstream;
    }

    [Fact]
    public async Task A_file_Remote_whose_package_links_out_of_its_folder_fails_the_sync_and_reads_nothing_outside()
    {
        await using var upstream = await UpstreamAsync();
        var package = Path.Combine(upstream.Root, "beta-2.0-3.noarch.rpm");
        var sha256 = FileUpstream.Sha256(await File.ReadAllBytesAsync(package));
        var target = Path.Combine(outside.Path, "beta.rpm");
        File.Move(package, target);
        File.CreateSymbolicLink(package, target);
        var repository = await fixture.RepositoryAsync(new Uri(upstream.Root + "/"), verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains($"refusing to read {package}: a symbolic link leads outside the Remote's folder", error.Message);
        Assert.False(await fixture.Store.ExistsAsync(sha256, CancellationToken.None));
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task A_file_Remote_whose_repodata_folder_links_out_of_it_reads_nothing_there()
    {
        await using var upstream = await UpstreamAsync();
        var target = Path.Combine(outside.Path, "repodata");
        Directory.Move(Path.Combine(upstream.Root, "repodata"), target);
        Directory.CreateSymbolicLink(Path.Combine(upstream.Root, "repodata"), target);
        var repository = await fixture.RepositoryAsync(new Uri(upstream.Root + "/"), verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains($"refusing to read {Path.Combine(upstream.Root, "repodata", "repomd.xml")}: a symbolic link leads outside the Remote's folder", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:application/x-rpm;base64,7avu2w==")]
    [InlineData("ftp://127.0.0.1/beta-2.0-3.noarch.rpm")]
    [InlineData("ftp:beta-2.0-3.noarch.rpm")]
    [InlineData("/etc/passwd")]
    public async Task A_location_href_that_is_a_URL_or_leaves_the_upstream_fails_the_sync(string href)
    {
        await using var upstream = await UpstreamAsync();
        using (var primary = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(upstream.MetadataPath("primary")), System.IO.Compression.CompressionMode.Decompress)))
        {
            var text = (await primary.ReadToEndAsync()).Replace("href=\"beta-2.0-3.noarch.rpm\"", $"href=\"{href}\"", StringComparison.Ordinal);
            Assert.Contains(href, text);
            primary.Close();
            await upstream.ReplaceMetadataAsync("primary", Gzip(text));
        }

        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains($"unsafe location href '{href}'", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    public void Dispose() => outside.Dispose();
}
