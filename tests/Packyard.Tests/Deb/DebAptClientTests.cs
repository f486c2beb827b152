using System.Globalization;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Deb;

/// <summary>Real apt-get against Packyard: a synced, signed publication read with signature checking on.</summary>
public sealed class DebAptClientTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    [Fact]
    public async Task Apt_get_update_and_download_work_against_a_signed_publication_and_through_a_checkpoint()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.AddAsync("main", "hello", "2.10-3", "arm64");
        await upstream.AddAsync("main", "hello-doc", "1:2.10-3", "all");
        await upstream.AddAsync("main", "libfoo1", "0.9~rc1-1", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64", "arm64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        await using var packyardKey = await AptUpstream.CreateAsync("Packyard");
        var keyring = await packyardKey.ExportKeyringAsync();

        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);
        var outcome = await repository.SyncAsync();
        await repository.PublishAsync(outcome.Version, packyardKey.SecretKey, """{"byHash":true,"origin":"Packyard tests"}""");
        var basePath = ContentAppFixture.UniqueBasePath("debian");
        await fixture.DistributeAsync(basePath, repository.Id, checkpoints: true);

        using (var apt = new AptClient($"deb [signed-by=KEYRING] {fixture.BaseAddress}{basePath}/ bookworm main", await File.ReadAllBytesAsync(keyring)))
        {
            var update = await apt.RunAsync("update");
            Assert.DoesNotContain("\nW:", "\n" + update);
            Assert.DoesNotContain("\nE:", "\n" + update);

            await apt.RunAsync("download", "hello", "hello-doc", "libfoo1");
            Assert.Equal(
                FileUpstream.Sha256(await File.ReadAllBytesAsync(Path.Combine(upstream.Root, "pool/main/h/hello/hello_2.10-3_amd64.deb"))),
                FileUpstream.Sha256(await File.ReadAllBytesAsync(Path.Combine(apt.Downloads, "hello_2.10-3_amd64.deb"))));
            Assert.True(File.Exists(Path.Combine(apt.Downloads, "hello-doc_1%3a2.10-3_all.deb")), string.Join(", ", Directory.GetFiles(apt.Downloads)));
            Assert.True(File.Exists(Path.Combine(apt.Downloads, "libfoo1_0.9~rc1-1_amd64.deb")));
        }

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var checkpoint = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        using (var apt = new AptClient($"deb [signed-by=KEYRING] {fixture.BaseAddress}{basePath}/{checkpoint}/ bookworm main", await File.ReadAllBytesAsync(keyring)))
        {
            await apt.UpdateAndDownloadAsync("hello", "hello_2.10-3_amd64.deb");
        }
    }

    [Fact]
    public async Task Apt_refuses_a_publication_signed_by_a_key_it_does_not_trust()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        await using var other = await AptUpstream.CreateAsync("Other");
        var otherKeyring = await other.ExportKeyringAsync();

        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);
        var outcome = await repository.SyncAsync();
        await repository.PublishAsync(outcome.Version, upstream.SecretKey);
        var basePath = ContentAppFixture.UniqueBasePath("debian");
        await fixture.DistributeAsync(basePath, repository.Id);

        using var apt = new AptClient($"deb [signed-by=KEYRING] {fixture.BaseAddress}{basePath}/ bookworm main", await File.ReadAllBytesAsync(otherKeyring));
        var update = await ProcessRunner.RunAsync("apt-get", ["update"], workingDirectory: apt.Downloads,
            environment: new Dictionary<string, string> { ["APT_CONFIG"] = Path.Combine(Path.GetDirectoryName(apt.Downloads)!, "apt.conf") }, check: false);
        Assert.Contains("NO_PUBKEY", update);
    }
}
