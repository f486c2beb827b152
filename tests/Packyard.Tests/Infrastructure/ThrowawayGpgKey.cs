using System.Text;
using Packyard.Tests.Deb;

namespace Packyard.Tests.Infrastructure;

/// <summary>
/// A throwaway OpenPGP signing key (rsa3072 unless told otherwise, e.g. <see cref="Ed25519"/>; no passphrase) made by the
/// real gpg in a GNUPGHOME of its own, for upstreams that tests build and sign (APT Release files, yum repomd.xml, rpms).
/// </summary>
internal sealed class ThrowawayGpgKey
{
    /// <summary>What gpg's <c>--quick-gen-key</c> makes of "ed25519": an EdDSA key (OpenPGP algorithm 22, a v4 key).</summary>
    public const string Ed25519 = "ed25519";

    private ThrowawayGpgKey(string home) => Home = home;

    /// <summary>The GNUPGHOME holding the key.</summary>
    public string Home { get; }

    /// <summary>The environment that points gpg (and rpmsign) at <see cref="Home"/>.</summary>
    public Dictionary<string, string> Environment => new() { ["GNUPGHOME"] = Home };

    /// <summary>Armored public key.</summary>
    public byte[] PublicKey { get; private set; } = [];

    /// <summary>Armored secret key (no passphrase), for signing publications.</summary>
    public byte[] SecretKey { get; private set; } = [];

    public string Fingerprint { get; private set; } = "";

    /// <summary>
    /// Creates <paramref name="home"/> (mode 0700, as gpg wants) and a key named <paramref name="name"/> in it, of gpg's
    /// <paramref name="algorithm"/> (rsa3072, ed25519, ...).
    /// </summary>
    public static async Task<ThrowawayGpgKey> CreateAsync(string home, string name, string algorithm = "rsa3072")
    {
        Directory.CreateDirectory(home);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var key = new ThrowawayGpgKey(home);
        var gpg = key.Environment;
        await ProcessRunner.RunAsync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", $"{name} <t@example.invalid>", algorithm, "sign", "never"], environment: gpg);
        key.PublicKey = Encoding.ASCII.GetBytes(await ProcessRunner.RunAsync("gpg", ["--batch", "--armor", "--export"], environment: gpg));
        key.SecretKey = Encoding.ASCII.GetBytes(await ProcessRunner.RunAsync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys"], environment: gpg));
        key.Fingerprint = (await ProcessRunner.RunAsync("gpg", ["--batch", "--with-colons", "--list-keys"], environment: gpg))
            .Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        return key;
    }
}
