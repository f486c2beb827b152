using System.Text;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Tests.Deb;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Versions;

namespace Packyard.Tests.Rpm;

/// <summary>Sync from real createrepo_c repositories, and from hostile ones: each hostile input fails with a clear message and creates no version.</summary>
public sealed class RpmSyncTests(RpmFixture fixture) : IClassFixture<RpmFixture>
{
    internal static readonly RpmSpec[] StandardPackages =
    [
        new("alpha", "1.0", Requires: ["beta >= 2.0", "/usr/bin/gamma"]),
        new("beta", "2.0", "3", Requires: ["gamma"], Provides: ["beta-api = 2"]),
        new("gamma", "1.0~rc1", "1", Epoch: "1"),
    ];

    internal static async Task<RpmUpstream> StandardUpstreamAsync(string compression = "gz", bool extras = true, string keyAlgorithm = "rsa3072")
    {
        var upstream = await RpmUpstream.CreateAsync(keyAlgorithm: keyAlgorithm);
        try
        {
            await upstream.AddAsync(StandardPackages);
            await upstream.IndexAsync(compression, extras);
            return upstream;
        }
        catch
        {
            // Stops its gpg-agent and deletes its folder when a tool fails.
            await upstream.DisposeAsync();
            throw;
        }
    }

    [Theory]
    [InlineData("gz")]
    [InlineData("xz")]
    [InlineData("zstd")]
    [InlineData("bz2")]
    public async Task Sync_reads_every_package_and_carries_updateinfo_and_comps_whatever_the_compression(string compression)
    {
        await using var upstream = await StandardUpstreamAsync(compression);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var outcome = await repository.SyncAsync();

        var files = await VersionContent.ListAsync(fixture, repository.Id, outcome.Version);
        Assert.Equal(["Packages/a/alpha-1.0-1.noarch.rpm", "Packages/b/beta-2.0-3.noarch.rpm", "Packages/g/gamma-1.0~rc1-1.noarch.rpm"],
            files.Keys.Where(k => k.StartsWith("Packages/", StringComparison.Ordinal)));
        Assert.Equal(FileUpstream.Sha256(await File.ReadAllBytesAsync(Path.Combine(upstream.Root, "alpha-1.0-1.noarch.rpm"))), files["Packages/a/alpha-1.0-1.noarch.rpm"]);
        Assert.Contains(files.Keys, k => k.StartsWith("repodata/", StringComparison.Ordinal) && k.EndsWith("-updateinfo.xml.gz", StringComparison.Ordinal));
        Assert.Contains(files.Keys, k => k.StartsWith("repodata/", StringComparison.Ordinal) && k.EndsWith("-group.xml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sync_with_unchanged_upstream_is_recognised_by_its_signed_repomd_alone_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync();
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey, policy: DownloadPolicy.OnDemand);

        var first = await repository.SyncAsync();
        var repomdReads = http.RequestsFor("repodata/repomd.xml");
        var requests = http.Requests.Values.Sum();
        var second = await repository.SyncAsync();

        Assert.Equal(1, first.Version);
        Assert.Equal(first.Version, second.Version);
        Assert.False(second.Created);
        Assert.Equal(0, second.Declared);
        Assert.Equal(repomdReads + 1, http.RequestsFor("repodata/repomd.xml")); // still fetched and verified
        Assert.Equal(requests + 2, http.Requests.Values.Sum()); // repomd.xml and repomd.xml.asc, no metadata file
        Assert.Equal([0L, 1L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Skip_types_srpm_and_mirror_sync_drop_what_the_upstream_no_longer_has()
    {
        await using var upstream = await StandardUpstreamAsync(extras: false);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"skipTypes":["srpm"]}""", upstream.PublicKey, DownloadPolicy.OnDemand);
        await repository.SyncAsync();
        File.Delete(Path.Combine(upstream.Root, "gamma-1.0~rc1-1.noarch.rpm"));
        await upstream.IndexAsync(extras: false);

        var outcome = await repository.SyncAsync();

        var files = await VersionContent.ListAsync(fixture, repository.Id, outcome.Version);
        Assert.Equal(["Packages/a/alpha-1.0-1.noarch.rpm", "Packages/b/beta-2.0-3.noarch.rpm"], files.Keys);
    }

    [Fact]
    public async Task Xml_bomb_in_primary_fails_the_sync_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync(extras: false);
        var bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE metadata [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
            <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>
            <metadata xmlns="http://linux.duke.edu/metadata/common" packages="1"><package type="rpm"><name>&f;</name></package></metadata>
            """;
        await upstream.ReplaceMetadataAsync("primary", Gzip(bomb));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains("primary.xml.gz is not acceptable XML", error.Message);
        Assert.Contains("DTD", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Location_href_escaping_the_repository_fails_the_sync_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync(extras: false);
        using (var primary = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(upstream.MetadataPath("primary")), System.IO.Compression.CompressionMode.Decompress)))
        {
            var text = (await primary.ReadToEndAsync()).Replace("href=\"beta-2.0-3.noarch.rpm\"", "href=\"../../etc/beta-2.0-3.noarch.rpm\"", StringComparison.Ordinal);
            Assert.Contains("../../etc/", text);
            primary.Close();
            await upstream.ReplaceMetadataAsync("primary", Gzip(text));
        }

        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains("unsafe location href '../../etc/beta-2.0-3.noarch.rpm'", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Repomd_signed_by_an_unknown_key_fails_naming_the_key_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync(extras: false);
        await using var stranger = await RpmUpstream.CreateAsync("Stranger");
        await upstream.SignRepomdAsync(stranger.Gpg);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<SignatureVerificationException>(() => repository.SyncAsync());

        Assert.Contains($"signed by unknown key {stranger.Fingerprint[^16..]}", error.Message);
        Assert.Contains("repomd.xml.asc", error.Message);
        Assert.Equal("SignatureVerificationFailed", error.Reason);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Repomd_changed_after_signing_fails_as_a_bad_signature()
    {
        await using var upstream = await StandardUpstreamAsync(extras: false);
        var repomd = await File.ReadAllTextAsync(upstream.RepomdPath);
        await File.WriteAllTextAsync(upstream.RepomdPath, repomd.Replace("<revision>", "<revision>9", StringComparison.Ordinal));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<SignatureVerificationException>(() => repository.SyncAsync());

        Assert.Contains("BAD signature", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Truncated_zstd_metadata_fails_the_sync_and_creates_no_version()
    {
        await using var upstream = await StandardUpstreamAsync("zstd", extras: false);
        var filelists = await File.ReadAllBytesAsync(upstream.MetadataPath("filelists"));
        await upstream.ReplaceMetadataAsync("filelists", filelists[..(filelists.Length * 2 / 3)]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains("filelists.xml.zst", error.Message);
        Assert.Contains("truncated", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Metadata_not_matching_its_repomd_checksum_fails_naming_the_file()
    {
        await using var upstream = await StandardUpstreamAsync(extras: false);
        var other = upstream.MetadataPath("other");
        var bytes = await File.ReadAllBytesAsync(other);
        bytes[^5] ^= 0x55;
        await File.WriteAllBytesAsync(other, bytes);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());

        Assert.Contains("other.xml.gz", error.Message);
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
}
