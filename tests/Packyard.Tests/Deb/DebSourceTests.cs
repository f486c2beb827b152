using Packyard.Engine.Downloads;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;
using Packyard.Tests.Versions;

namespace Packyard.Tests.Deb;

/// <summary>Source packages (<c>spec.deb.sources</c>): Sources indices, .dsc files and the files they list, published for apt-get source.</summary>
public sealed class DebSourceTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    [Fact]
    public async Task Source_packages_sync_with_their_files_and_apt_get_source_downloads_them_from_the_signed_publication()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.AddSourceAsync("main", "hello", "2.10");
        await upstream.AddSourceAsync("main", "libfoo", "0.9");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"], sources: true);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        await using var packyardKey = await AptUpstream.CreateAsync("Packyard");
        var keyring = await packyardKey.ExportKeyringAsync();

        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"sources":true}""", upstream.PublicKey);
        var outcome = await repository.SyncAsync();
        Assert.Equal(3, outcome.Declared); // one binary package, two source packages
        var files = await VersionContent.ListAsync(fixture, repository.Id, outcome.Version);
        Assert.Equal(["pool/main/h/hello/hello_2.10-3_amd64.deb", "pool/main/h/hello/hello_2.10.dsc", "pool/main/h/hello/hello_2.10.tar.xz",
            "pool/main/libf/libfoo/libfoo_0.9.dsc", "pool/main/libf/libfoo/libfoo_0.9.tar.xz"], files.Keys);
        await repository.PublishAsync(outcome.Version, packyardKey.SecretKey, """{"byHash":true}""");
        var basePath = ContentAppFixture.UniqueBasePath("sources");
        await fixture.DistributeAsync(basePath, repository.Id);

        var inRelease = await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/InRelease");
        foreach (var index in new[] { "main/source/Sources", "main/source/Sources.gz", "main/source/Sources.xz", "main/source/Release", "main/binary-amd64/Packages.xz" })
        {
            Assert.Contains($" {index}\n", inRelease);
        }

        var sources = await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/main/source/Sources");
        Assert.Contains("Package: hello\n", sources);
        Assert.Contains("Directory: pool/main/h/hello\n", sources);
        Assert.Contains("Directory: pool/main/libf/libfoo\n", sources);

        using var apt = new AptClient($"deb-src [signed-by=KEYRING] {fixture.BaseAddress}{basePath}/ bookworm main", await File.ReadAllBytesAsync(keyring));
        var update = await apt.RunAsync("update");
        Assert.DoesNotContain("\nW:", "\n" + update);
        Assert.DoesNotContain("\nE:", "\n" + update);
        await apt.RunAsync("source", "--download-only", "hello", "libfoo");
        foreach (var file in new[] { "h/hello/hello_2.10.dsc", "h/hello/hello_2.10.tar.xz", "l/libfoo/libfoo_0.9.dsc", "l/libfoo/libfoo_0.9.tar.xz" })
        {
            var downloaded = Path.Combine(apt.Downloads, Path.GetFileName(file));
            Assert.True(File.Exists(downloaded), $"apt-get source did not download {file}: {string.Join(", ", Directory.GetFiles(apt.Downloads))}");
            Assert.Equal(FileUpstream.Sha256(await File.ReadAllBytesAsync(Path.Combine(upstream.Root, "pool", "main", file))),
                FileUpstream.Sha256(await File.ReadAllBytesAsync(downloaded)));
        }
    }

    [Fact]
    public async Task Without_sources_the_Sources_indices_are_ignored()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.AddSourceAsync("main", "hello", "2.10");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"], sources: true);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);

        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);
        var outcome = await repository.SyncAsync();
        Assert.Equal(1, outcome.Declared);
        Assert.Equal(["pool/main/h/hello/hello_2.10-3_amd64.deb"], (await VersionContent.ListAsync(fixture, repository.Id, outcome.Version)).Keys);
        Assert.False(http.Requests.ContainsKey("dists/bookworm/main/source/Sources.xz"));
    }

    [Fact]
    public async Task A_source_file_that_does_not_match_the_Sources_checksum_fails_the_sync_naming_it_and_creates_no_version()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddSourceAsync("main", "hello", "2.10");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"], sources: true);
        await File.AppendAllTextAsync(Path.Combine(upstream.Root, "pool/main/h/hello/hello_2.10.tar.xz"), "tampered");
        await using var http = await HttpUpstream.StartAsync(upstream.Root);

        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"sources":true}""", upstream.PublicKey);
        var error = await Assert.ThrowsAsync<ArtifactDigestException>(() => repository.SyncAsync());
        Assert.Contains("pool/main/h/hello/hello_2.10.tar.xz", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task A_Sources_stanza_listing_a_file_outside_its_directory_fails_the_sync_with_a_clear_message()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddSourceAsync("main", "hello", "2.10");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"], sources: true);
        var index = Path.Combine(upstream.Root, "dists/bookworm/main/source/Sources");
        var text = await File.ReadAllTextAsync(index);
        var checksums = text.IndexOf("Checksums-Sha256:", StringComparison.Ordinal);
        await File.WriteAllTextAsync(index, text[..checksums] + text[checksums..].Replace(" hello_2.10.tar.xz", " ../../../etc/x.tar.xz", StringComparison.Ordinal));
        await ProcessRunner.RunAsync("gzip", ["-9", "-n", "-k", "-f", index]);
        await ProcessRunner.RunAsync("xz", ["-k", "-f", index]);
        await upstream.ReleaseAsync("bookworm", ["main"], ["amd64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);

        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"sources":true}""", upstream.PublicKey);
        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => repository.SyncAsync());
        Assert.Contains("source package hello 2.10", error.Message);
        Assert.Contains("../../../etc/x.tar.xz", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }
}
