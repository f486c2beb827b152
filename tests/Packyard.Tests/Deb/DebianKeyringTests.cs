using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Deb;

/// <summary>
/// Debian's real archive keyring (RSA and Ed25519 keys) and bookworm's real InRelease (two RSA signatures and one Ed25519
/// signature, by the trixie release key) from the machine: every key is read, and the Ed25519 signature verifies on its own.
/// </summary>
public sealed class DebianKeyringTests
{
    private const string DebianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
    private const string InRelease = "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease";

    [Fact]
    public async Task Debian_archive_keyring_loads_every_key_gpg_sees_Ed25519_ones_included()
    {
        Assert.True(File.Exists(DebianKeyring), "needs debian-archive-keyring");
        using var home = new TemporaryDirectory();
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var gpg = new Dictionary<string, string> { ["GNUPGHOME"] = home.Path };
        var listing = await ProcessRunner.RunAsync("gpg", ["--batch", "--with-colons", "--show-keys", DebianKeyring], environment: gpg);
        await ProcessRunner.RunAsync("gpgconf", ["--kill", "all"], environment: gpg, check: false);
        var expected = listing.Split('\n').Where(l => l.StartsWith("pub:", StringComparison.Ordinal) || l.StartsWith("sub:", StringComparison.Ordinal))
            .Select(l => l.Split(':')[4]).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(listing.Split('\n'), l => l.StartsWith("pub:", StringComparison.Ordinal) && l.Split(':')[3] == "22");

        var keys = OpenPgp.LoadPublicKeys(await File.ReadAllBytesAsync(DebianKeyring));

        Assert.Equal(expected, OpenPgp.KeyIds(keys).Split(", ").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Real_bookworm_InRelease_verifies_by_its_Ed25519_signature_alone_and_not_once_changed()
    {
        Assert.True(File.Exists(DebianKeyring) && File.Exists(InRelease), "needs the machine's bookworm apt lists (apt-get update) and debian-archive-keyring");
        var all = OpenPgp.LoadPublicKeys(await File.ReadAllBytesAsync(DebianKeyring));
        var ed25519 = new PgpPublicKeyRingBundle(all.GetKeyRings().Cast<PgpPublicKeyRing>()
            .Where(r => r.GetPublicKey().Algorithm == PublicKeyAlgorithmTag.EdDsa_Legacy));
        Assert.NotEqual(0, ed25519.Count);
        var message = await File.ReadAllTextAsync(InRelease);

        var text = OpenPgp.VerifyClearSigned(message, ed25519, "InRelease");

        Assert.Contains("Codename: bookworm\n", text);
        var changed = message.Replace("Codename: bookworm", "Codename: bookwork", StringComparison.Ordinal);
        var error = Assert.Throws<SignatureVerificationException>(() => OpenPgp.VerifyClearSigned(changed, ed25519, "InRelease"));
        Assert.Contains("InRelease: BAD signature from key", error.Message);
    }
}
