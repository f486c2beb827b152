using System.IO.Compression;
using System.Text;
using Packyard.Content.Deb;
using Packyard.Engine.Downloads;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Versions;

namespace Packyard.Tests.Deb;

public sealed class DebSyncTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    /// <summary>An upstream with bookworm (main: hello amd64+arm64, docs all; contrib: extra amd64) and bookworm-updates (main: hello 2.11).</summary>
    private static async Task<AptUpstream> StandardUpstreamAsync()
    {
        var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.AddAsync("main", "hello", "2.10-3", "arm64");
        await upstream.AddAsync("main", "hello-doc", "1:2.10-3", "all");
        await upstream.AddAsync("main", "libfoo1", "0.9~rc1-1", "amd64");
        await upstream.AddAsync("contrib", "extra", "1.0", "amd64");
        await upstream.IndexAsync("bookworm", ["main", "contrib"], ["amd64", "arm64"]);
        return upstream;
    }

    [Fact]
    public async Task Signed_upstream_syncs_one_unit_per_package_with_pool_paths_and_verified_digests()
    {
        await using var upstream = await StandardUpstreamAsync();
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);

        var outcome = await repository.SyncAsync();

        Assert.True(outcome.Created);
        var files = await VersionContent.ListAsync(fixture, repository.Id, outcome.Version);
        Assert.Equal(
            [
                "pool/contrib/e/extra/extra_1.0_amd64.deb",
                "pool/main/h/hello-doc/hello-doc_2.10-3_all.deb",
                "pool/main/h/hello/hello_2.10-3_amd64.deb",
                "pool/main/h/hello/hello_2.10-3_arm64.deb",
                "pool/main/libf/libfoo1/libfoo1_0.9~rc1-1_amd64.deb",
            ],
            files.Keys);
        Assert.Equal(FileUpstream.Sha256(await File.ReadAllBytesAsync(Path.Combine(upstream.Root, "pool/main/h/hello/hello_2.10-3_amd64.deb"))),
            files["pool/main/h/hello/hello_2.10-3_amd64.deb"]);
        Assert.Equal(1, http.Requests.GetValueOrDefault("dists/bookworm/InRelease"));
        Assert.False(http.Requests.ContainsKey("dists/bookworm/Release"));
        Assert.True(http.Requests.ContainsKey("dists/bookworm/main/binary-amd64/Packages.xz"));
        Assert.False(http.Requests.ContainsKey("dists/bookworm/main/binary-amd64/Packages.gz"));

        var again = await repository.SyncAsync();
        Assert.False(again.Created);
    }

    [Fact]
    public async Task Components_and_architectures_filters_select_the_indices_read()
    {
        await using var upstream = await StandardUpstreamAsync();
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"components":["main"],"architectures":["arm64","all"]}""", upstream.PublicKey);

        var outcome = await repository.SyncAsync();

        var files = await VersionContent.ListAsync(fixture, repository.Id, outcome.Version);
        Assert.Equal(["pool/main/h/hello-doc/hello-doc_2.10-3_all.deb", "pool/main/h/hello/hello_2.10-3_arm64.deb"], files.Keys);
        Assert.False(http.Requests.ContainsKey("dists/bookworm/main/binary-amd64/Packages.xz"));
        Assert.False(http.Requests.ContainsKey("dists/bookworm/contrib/binary-arm64/Packages.xz"));
    }

    [Fact]
    public async Task Unchanged_upstream_is_recognised_by_its_signed_Release_alone_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync();
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);
        var first = await repository.SyncAsync();
        var indexReads = http.RequestsFor("dists/bookworm/main/binary-amd64/Packages.xz");
        var releaseReads = http.RequestsFor("dists/bookworm/InRelease");

        var again = await repository.SyncAsync();

        Assert.False(again.Created);
        Assert.Equal(first.Version, again.Version);
        Assert.Equal(first.ContentCount, again.ContentCount);
        Assert.Equal(0, again.Declared);
        Assert.Equal(releaseReads + 1, http.RequestsFor("dists/bookworm/InRelease")); // still fetched and verified
        Assert.Equal(indexReads, http.RequestsFor("dists/bookworm/main/binary-amd64/Packages.xz"));

        // A new Release (a package added upstream) is read in full again.
        await upstream.AddAsync("main", "tree", "2.1.0-1", "amd64");
        await upstream.IndexAsync("bookworm", ["main", "contrib"], ["amd64", "arm64"]);
        var changed = await repository.SyncAsync();
        Assert.True(changed.Created);
        Assert.Contains("pool/main/t/tree/tree_2.1.0-1_amd64.deb", (await VersionContent.ListAsync(fixture, repository.Id, changed.Version)).Keys);
    }

    [Fact]
    public async Task A_version_made_since_the_last_sync_makes_a_mirror_sync_read_the_unchanged_upstream_again()
    {
        await using var upstream = await StandardUpstreamAsync();
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);
        var synced = await repository.SyncAsync();
        await fixture.Catalog.SetUploadsEnabledAsync(repository.Id, true, CancellationToken.None);
        await using var builder = await AptUpstream.CreateAsync();
        var deb = await File.ReadAllBytesAsync(await builder.BuildDebAsync("uploaded", "1.0", "amd64"));
        var form = new MultipartFormDataContent { { new ByteArrayContent(deb), "file", "uploaded_1.0_amd64.deb" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/default/repositories/{repository.Name}/content") { Content = form };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Server.ContentAppFixture.UploadToken);
        using var response = await fixture.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var mirrored = await repository.SyncAsync();

        Assert.True(mirrored.Created);
        Assert.Equal(synced.Version + 2, mirrored.Version);
        Assert.True(mirrored.Declared > 0);
        Assert.Equal(await VersionContent.ListAsync(fixture, repository.Id, synced.Version), await VersionContent.ListAsync(fixture, repository.Id, mirrored.Version));
    }

    [Fact]
    public async Task Release_with_detached_Release_gpg_is_used_when_InRelease_is_missing()
    {
        await using var upstream = await StandardUpstreamAsync();
        File.Delete(Path.Combine(upstream.Root, "dists/bookworm/InRelease"));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"architectures":["amd64"]}""", upstream.PublicKey);

        var outcome = await repository.SyncAsync();

        Assert.Equal(4, (await VersionContent.ListAsync(fixture, repository.Id, outcome.Version)).Count);
        Assert.True(http.Requests.ContainsKey("dists/bookworm/Release.gpg"));
    }

    [Fact]
    public async Task Unsigned_Release_fails_when_a_key_is_configured_naming_the_missing_signature()
    {
        await using var upstream = await StandardUpstreamAsync();
        File.Delete(Path.Combine(upstream.Root, "dists/bookworm/InRelease"));
        File.Delete(Path.Combine(upstream.Root, "dists/bookworm/Release.gpg"));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);

        var error = await Assert.ThrowsAsync<SignatureVerificationException>(() => repository.SyncAsync());

        Assert.Contains("Release.gpg is missing", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task InRelease_signed_by_an_unknown_key_fails_naming_the_key_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync();
        await using var stranger = await AptUpstream.CreateAsync("Stranger");
        await upstream.SignAsync("bookworm", new Dictionary<string, string> { ["GNUPGHOME"] = stranger.GnuPgHome });
        var strangerKeyId = (await ProcessRunner.RunAsync("gpg", ["--batch", "--with-colons", "--list-keys"], environment: new Dictionary<string, string> { ["GNUPGHOME"] = stranger.GnuPgHome }))
            .Split('\n').First(l => l.StartsWith("pub:", StringComparison.Ordinal)).Split(':')[4];
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);

        var error = await Assert.ThrowsAsync<SignatureVerificationException>(() => repository.SyncAsync());

        Assert.Contains($"signed by unknown key {strangerKeyId}", error.Message);
        Assert.Contains("InRelease", error.Message);
        Assert.Equal("SignatureVerificationFailed", error.Reason);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task InRelease_changed_after_signing_fails_as_a_bad_signature()
    {
        await using var upstream = await StandardUpstreamAsync();
        var path = Path.Combine(upstream.Root, "dists/bookworm/InRelease");
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text.Replace("Origin: Tests", "Origin: Evil", StringComparison.Ordinal));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);

        var error = await Assert.ThrowsAsync<SignatureVerificationException>(() => repository.SyncAsync());

        Assert.Contains("BAD signature", error.Message);
    }

    [Fact]
    public async Task Binary_keyring_with_several_keys_is_accepted()
    {
        await using var upstream = await StandardUpstreamAsync();
        await using var other = await AptUpstream.CreateAsync("Other");
        var keyring = await upstream.ExportKeyringAsync();
        var otherKeyring = await other.ExportKeyringAsync();
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        byte[] keys = [.. await File.ReadAllBytesAsync(otherKeyring), .. await File.ReadAllBytesAsync(keyring)];
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"architectures":["amd64"]}""", keys);

        var outcome = await repository.SyncAsync();

        Assert.True(outcome.Created);
    }

    [Fact]
    public async Task Listed_variant_missing_upstream_falls_back_to_the_next_one()
    {
        await using var upstream = await StandardUpstreamAsync();
        File.Delete(Path.Combine(upstream.Root, "dists/bookworm/main/binary-amd64/Packages.xz"));
        File.Delete(Path.Combine(upstream.Root, "dists/bookworm/main/binary-amd64/Packages.gz"));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"components":["main"],"architectures":["amd64"]}""", upstream.PublicKey);

        var outcome = await repository.SyncAsync();

        Assert.Equal(3, (await VersionContent.ListAsync(fixture, repository.Id, outcome.Version)).Count);
        Assert.True(http.Requests.ContainsKey("dists/bookworm/main/binary-amd64/Packages"));
    }

    [Fact]
    public async Task By_hash_indices_are_fetched_when_the_Release_says_Acquire_By_Hash()
    {
        await using var upstream = await StandardUpstreamAsync();
        var directory = Path.Combine(upstream.Root, "dists/bookworm/main/binary-amd64");
        var gz = await File.ReadAllBytesAsync(Path.Combine(directory, "Packages.xz"));
        Directory.CreateDirectory(Path.Combine(directory, "by-hash/SHA256"));
        await File.WriteAllBytesAsync(Path.Combine(directory, "by-hash/SHA256", FileUpstream.Sha256(gz)), gz);
        await upstream.ReleaseAsync("bookworm", ["main", "contrib"], ["amd64", "arm64"], byHash: true);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"components":["main"],"architectures":["amd64"]}""", upstream.PublicKey);

        await repository.SyncAsync();

        Assert.True(http.Requests.ContainsKey($"dists/bookworm/main/binary-amd64/by-hash/SHA256/{FileUpstream.Sha256(gz)}"));
        Assert.False(http.Requests.ContainsKey("dists/bookworm/main/binary-amd64/Packages.xz"));
    }

    [Fact]
    public async Task Index_that_differs_from_the_signed_Release_fails_naming_it()
    {
        await using var upstream = await StandardUpstreamAsync();
        var packages = Path.Combine(upstream.Root, "dists/bookworm/main/binary-amd64/Packages.gz");
        File.Delete(Path.ChangeExtension(packages, ".xz")); // listed but gone: the sync falls back to the tampered .gz
        await File.WriteAllBytesAsync(packages, Gzip("Package: evil\nVersion: 1\nArchitecture: amd64\nFilename: pool/x.deb\nSHA256: " + new string('a', 64) + "\n"));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"components":["main"],"architectures":["amd64"]}""", upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains("main/binary-amd64/Packages.gz", error.Message);
        Assert.Contains("signed Release declares", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Filename_escaping_the_repository_fails_the_sync_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync();
        await ReplaceIndexAsync(upstream, text => text.Replace("Filename: pool/main/h/hello/hello_2.10-3_amd64.deb", "Filename: ../../x", StringComparison.Ordinal));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"components":["main"],"architectures":["amd64"]}""", upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains("unsafe Filename '../../x'", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Truncated_compressed_index_signed_as_it_is_fails_as_corrupt()
    {
        await using var upstream = await StandardUpstreamAsync();
        var path = Path.Combine(upstream.Root, "dists/bookworm/main/binary-amd64/Packages.xz");
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
        await upstream.ReleaseAsync("bookworm", ["main", "contrib"], ["amd64", "arm64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"components":["main"],"architectures":["amd64"]}""", upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        // Cut mid-stanza, the parser may notice first (a stanza without Version); either way the file is named.
        Assert.Contains("main/binary-amd64/Packages.xz", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Decompression_bomb_fails_at_the_limit_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync();
        var path = Path.Combine(upstream.Root, "dists/bookworm/main/binary-amd64/Packages.gz");
        File.Delete(Path.ChangeExtension(path, ".xz"));
        // 1 GiB of blank lines (valid deb822 separators) in about 1 MB of gzip.
        await using (var output = File.Create(path))
        await using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            var block = new byte[1 << 20];
            Array.Fill(block, (byte)'\n');
            for (var i = 0; i < 1024; i++)
            {
                await gzip.WriteAsync(block);
            }
        }

        await upstream.ReleaseAsync("bookworm", ["main", "contrib"], ["amd64", "arm64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"components":["main"],"architectures":["amd64"]}""", upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains($"decompresses to more than {DebFixture.MaxDecompressedBytes} bytes (limit SyncLimits.MaxDecompressedBytes)", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Missing_distribution_fails_naming_both_release_urls()
    {
        await using var upstream = await StandardUpstreamAsync();
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["trixie"]}""", upstream.PublicKey);

        var error = await Assert.ThrowsAsync<ReleaseFileNotFoundException>(() => repository.SyncAsync());

        Assert.Contains("dists/trixie/InRelease", error.Message);
        Assert.Contains("spec.deb.distributions", error.Message);
    }

    [Fact]
    public async Task Flat_repository_without_dists_syncs_into_stable_main()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        var flat = Path.Combine(upstream.WorkPath, "flat");
        Directory.CreateDirectory(flat);
        File.Copy(await upstream.BuildDebAsync("hello", "2.10-3", "amd64"), Path.Combine(flat, "hello_2.10-3_amd64.deb"));
        await ProcessRunner.RunAsync("apt-ftparchive", ["packages", "."], workingDirectory: flat, standardOutputFile: Path.Combine(upstream.WorkPath, "Packages"));
        File.Move(Path.Combine(upstream.WorkPath, "Packages"), Path.Combine(flat, "Packages"));
        await ProcessRunner.RunAsync("apt-ftparchive", ["release", "."], workingDirectory: flat, standardOutputFile: Path.Combine(upstream.WorkPath, "Release"));
        File.Move(Path.Combine(upstream.WorkPath, "Release"), Path.Combine(flat, "Release"));
        await ProcessRunner.RunAsync("gpg", ["--batch", "--yes", "--clearsign", "-o", Path.Combine(flat, "InRelease"), Path.Combine(flat, "Release")],
            environment: new Dictionary<string, string> { ["GNUPGHOME"] = upstream.GnuPgHome });
        await using var http = await HttpUpstream.StartAsync(flat);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["./"]}""", upstream.PublicKey);

        var outcome = await repository.SyncAsync();

        Assert.Equal(["pool/main/h/hello/hello_2.10-3_amd64.deb"], (await VersionContent.ListAsync(fixture, repository.Id, outcome.Version)).Keys);
        Assert.True(http.Requests.ContainsKey("hello_2.10-3_amd64.deb"));
    }

    /// <summary>Rewrites main/binary-amd64/Packages(.gz,.xz) with <paramref name="change"/> and re-signs the Release, as a hostile but signed upstream would.</summary>
    private static async Task ReplaceIndexAsync(AptUpstream upstream, Func<string, string> change)
    {
        var directory = Path.Combine(upstream.Root, "dists/bookworm/main/binary-amd64");
        var text = change(await File.ReadAllTextAsync(Path.Combine(directory, "Packages")));
        await File.WriteAllTextAsync(Path.Combine(directory, "Packages"), text);
        await File.WriteAllBytesAsync(Path.Combine(directory, "Packages.gz"), Gzip(text));
        File.Delete(Path.Combine(directory, "Packages.xz"));
        await upstream.ReleaseAsync("bookworm", ["main", "contrib"], ["amd64", "arm64"]);
    }

    private static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
