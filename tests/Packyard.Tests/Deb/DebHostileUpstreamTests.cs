using System.IO.Compression;
using System.Text;
using Packyard.Engine.Downloads;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Versions;

namespace Packyard.Tests.Deb;

/// <summary>
/// A signed Debian upstream whose Filename fields or pool links point out of it, with the right digests: the sync fails naming the
/// problem, and nothing outside the upstream is read or stored.
/// </summary>
public sealed class DebHostileUpstreamTests(DebFixture fixture) : IClassFixture<DebFixture>, IDisposable
{
    private const string Options = """{"distributions":["bookworm"],"components":["main"],"architectures":["amd64"]}""";
    private const string Hello = "pool/main/h/hello/hello_2.10-3_amd64.deb";

    private readonly TemporaryDirectory outside = new();

    private static async Task<AptUpstream> UpstreamAsync()
    {
        var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.AddAsync("main", "libfoo1", "0.9~rc1-1", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        return upstream;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_Remote_whose_pool_links_out_of_its_folder_fails_the_sync_and_reads_nothing_outside(bool linkedFolder)
    {
        await using var upstream = await UpstreamAsync();
        var sha256 = FileUpstream.Sha256(await File.ReadAllBytesAsync(Path.Combine(upstream.Root, Hello)));
        // The same bytes, moved out of the upstream: the signed index's digest is right, only the place is wrong.
        var moved = linkedFolder ? "pool/main/h" : Hello;
        var target = Path.Combine(outside.Path, linkedFolder ? "h" : "hello.deb");
        if (linkedFolder)
        {
            Directory.Move(Path.Combine(upstream.Root, moved), target);
            Directory.CreateSymbolicLink(Path.Combine(upstream.Root, moved), target);
        }
        else
        {
            File.Move(Path.Combine(upstream.Root, moved), target);
            File.CreateSymbolicLink(Path.Combine(upstream.Root, moved), target);
        }

        var repository = await fixture.RepositoryAsync(new Uri(upstream.Root + "/"), Options, upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains($"refusing to read {Path.Combine(upstream.Root, Hello)}: a symbolic link leads outside the Remote's folder", error.Message);
        Assert.False(await fixture.Store.ExistsAsync(sha256, CancellationToken.None));
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:application/vnd.debian.binary-package;base64,ISFhcmNoCg==")]
    [InlineData("ftp://127.0.0.1/pool/hello.deb")]
    [InlineData("ftp:hello.deb")]
    [InlineData("/etc/passwd")]
    [InlineData("../../../etc/passwd")]
    public async Task A_Filename_that_is_a_URL_or_leaves_the_upstream_fails_the_sync(string filename)
    {
        await using var upstream = await UpstreamAsync();
        var directory = Path.Combine(upstream.Root, "dists/bookworm/main/binary-amd64");
        var text = (await File.ReadAllTextAsync(Path.Combine(directory, "Packages"))).Replace($"Filename: {Hello}", $"Filename: {filename}", StringComparison.Ordinal);
        Assert.Contains(filename, text);
        await File.WriteAllTextAsync(Path.Combine(directory, "Packages"), text);
        await File.WriteAllBytesAsync(Path.Combine(directory, "Packages.gz"), Gzip(text));
        File.Delete(Path.Combine(directory, "Packages.xz"));
        await upstream.ReleaseAsync("bookworm", ["main"], ["amd64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, Options, upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains($"unsafe Filename '{filename}'", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    private static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    public void Dispose() => outside.Dispose();
}
