using Packyard.Tests.Deb;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;
using Packyard.Tests.Versions;

namespace Packyard.Tests.Rpm;

/// <summary>
/// Ed25519 OpenPGP keys as gpg makes them (EdDSA, algorithm 22) on both sides of an rpm repository: an upstream whose
/// repomd.xml.asc (and rpms) they sign verifies during sync, and a publication they sign is read by real dnf with
/// repo_gpgcheck and gpgcheck on.
/// </summary>
public sealed class RpmEd25519Tests(RpmFixture fixture) : IClassFixture<RpmFixture>
{
    [Fact]
    public async Task Upstream_repomd_signed_with_an_Ed25519_key_verifies_during_sync()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync(extras: false, keyAlgorithm: ThrowawayGpgKey.Ed25519);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var outcome = await repository.SyncAsync();

        Assert.True(outcome.Created);
        Assert.Equal(["Packages/a/alpha-1.0-1.noarch.rpm", "Packages/b/beta-2.0-3.noarch.rpm", "Packages/g/gamma-1.0~rc1-1.noarch.rpm"],
            (await VersionContent.ListAsync(fixture, repository.Id, outcome.Version)).Keys.Where(k => k.StartsWith("Packages/", StringComparison.Ordinal)));
        Assert.True(http.Requests.ContainsKey("repodata/repomd.xml.asc"));
    }

    [Fact]
    public async Task Upstream_signed_with_an_Ed25519_key_fails_the_sync_against_another_Ed25519_key_naming_both()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync(extras: false, keyAlgorithm: ThrowawayGpgKey.Ed25519);
        await using var other = await RpmUpstream.CreateAsync("Other", ThrowawayGpgKey.Ed25519);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: other.PublicKey);

        var error = await Assert.ThrowsAsync<SignatureVerificationException>(() => repository.SyncAsync());

        Assert.Contains($"repomd.xml.asc is signed by unknown key {upstream.Fingerprint[^16..]}; the Remote's signingKeySecretRef trusts {other.Fingerprint[^16..]}", error.Message);
        Assert.Equal("SignatureVerificationFailed", error.Reason);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Repomd_changed_after_Ed25519_signing_fails_as_a_bad_signature()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync(extras: false, keyAlgorithm: ThrowawayGpgKey.Ed25519);
        var repomd = await File.ReadAllTextAsync(upstream.RepomdPath);
        await File.WriteAllTextAsync(upstream.RepomdPath, repomd.Replace("<revision>", "<revision>9", StringComparison.Ordinal));
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);

        var error = await Assert.ThrowsAsync<SignatureVerificationException>(() => repository.SyncAsync());

        Assert.Contains($"BAD signature from key {upstream.Fingerprint[^16..]}", error.Message);
        Assert.Equal([0L], await VersionContent.NumbersAsync(fixture, repository.Id));
    }

    [Fact]
    public async Task Dnf_reads_a_publication_signed_with_an_Ed25519_key_with_repo_gpgcheck_and_gpgcheck()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync(extras: false, keyAlgorithm: ThrowawayGpgKey.Ed25519);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        await using var packyardKey = await RpmUpstream.CreateAsync("Packyard", ThrowawayGpgKey.Ed25519);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);
        var outcome = await repository.SyncAsync();

        await repository.PublishAsync(outcome.Version, packyardKey.SecretKey);

        var basePath = ContentAppFixture.UniqueBasePath("el");
        await fixture.DistributeAsync(basePath, repository.Id);
        // The key Packyard serves beside repomd.xml is the Ed25519 public key, as gpg reads it.
        using var folder = new TemporaryDirectory();
        var servedKey = await fixture.Http.GetByteArrayAsync($"{basePath}/repodata/repomd.xml.key");
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "repomd.xml.key"), servedKey);
        var shown = await ProcessRunner.RunAsync("gpg", ["--batch", "--with-colons", "--show-keys", Path.Combine(folder.Path, "repomd.xml.key")],
            environment: new Dictionary<string, string> { ["GNUPGHOME"] = packyardKey.GnuPgHome });
        Assert.Contains($"fpr:::::::::{packyardKey.Fingerprint}:", shown);
        Assert.Contains(":22:", shown.Split('\n').First(l => l.StartsWith("pub:", StringComparison.Ordinal)));

        using var dnf = new DnfClient(new Uri(fixture.BaseAddress, basePath + "/"), servedKey, upstream.PublicKey);
        var requires = await dnf.RunAsync("repoquery", "--requires", "alpha");
        Assert.Contains("beta >= 2.0", requires);
        await dnf.RunAsync("install", "alpha");
        Assert.True(File.Exists(Path.Combine(dnf.InstallRoot, "usr/bin/alpha")));
        Assert.True(File.Exists(Path.Combine(dnf.InstallRoot, "usr/bin/beta")), "beta installed as alpha's dependency");
    }
}
