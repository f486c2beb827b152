using System.Diagnostics;
using Packyard.Api.Resources;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;
using Xunit.Abstractions;

namespace Packyard.Tests.Deb;

/// <summary>
/// Debian bookworm's real signed InRelease and main/binary-amd64/Packages (~63,000 packages) from the machine's apt lists,
/// served by a local upstream, verified against the Debian archive keyring, synced OnDemand, published and read by apt.
/// </summary>
public sealed class DebRealIndexTests(DebDefaultLimitsFixture fixture, ITestOutputHelper output) : IClassFixture<DebDefaultLimitsFixture>
{
    private const string Lists = "/var/lib/apt/lists/";
    private const string DebianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg";

    [Fact]
    public async Task Real_bookworm_index_syncs_on_demand_verified_by_the_debian_keyring_and_apt_reads_the_publication()
    {
        var inRelease = Path.Combine(Lists, "deb.debian.org_debian_dists_bookworm_InRelease");
        var packagesLz4 = Path.Combine(Lists, "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4");
        Assert.True(File.Exists(inRelease) && File.Exists(packagesLz4) && File.Exists(DebianKeyring),
            "needs the machine's bookworm apt lists (apt-get update) and debian-archive-keyring");

        using var folder = new TemporaryDirectory();
        var dist = Path.Combine(folder.Path, "dists", "bookworm");
        Directory.CreateDirectory(Path.Combine(dist, "main", "binary-amd64"));
        File.Copy(inRelease, Path.Combine(dist, "InRelease"));
        await ProcessRunner.RunAsync("lz4", ["-dc", packagesLz4], standardOutputFile: Path.Combine(dist, "main", "binary-amd64", "Packages"));
        await using var http = await HttpUpstream.StartAsync(folder.Path);

        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"],"components":["main"],"architectures":["amd64"]}""",
            await File.ReadAllBytesAsync(DebianKeyring), DownloadPolicy.OnDemand);
        var watch = Stopwatch.StartNew();
        var outcome = await repository.SyncAsync();
        var syncTime = watch.Elapsed;
        Assert.True(outcome.Created);
        Assert.InRange(outcome.Declared, 60_000, 80_000);

        watch.Restart();
        var again = await repository.SyncAsync();
        var resyncTime = watch.Elapsed;
        Assert.False(again.Created);
        Assert.Equal(0, again.Declared); // recognised by the verified InRelease alone: no index read, nothing staged
        Assert.Equal(outcome.ContentCount, again.ContentCount);

        await using var key = await AptUpstream.CreateAsync("Packyard");
        var keyring = await key.ExportKeyringAsync();
        watch.Restart();
        await repository.PublishAsync(outcome.Version, key.SecretKey);
        var publishTime = watch.Elapsed;
        output.WriteLine($"bookworm main/amd64: {outcome.Declared} packages; OnDemand sync {syncTime.TotalSeconds:F1} s, unchanged re-sync {resyncTime.TotalSeconds:F1} s, signed publish {publishTime.TotalSeconds:F1} s");

        var basePath = ContentAppFixture.UniqueBasePath("bookworm");
        await fixture.DistributeAsync(basePath, repository.Id);
        using var apt = new AptClient($"deb [signed-by=KEYRING] {fixture.BaseAddress}{basePath}/ bookworm main", await File.ReadAllBytesAsync(keyring));
        var update = await apt.RunAsync("update");
        Assert.DoesNotContain("\nW:", "\n" + update);
        Assert.DoesNotContain("\nE:", "\n" + update);
        var uris = await apt.RunAsync("--print-uris", "download", "hello");
        Assert.Contains($"{fixture.BaseAddress}{basePath}/pool/main/h/hello/hello_", uris);
    }
}
