using System.Text;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Deb;

/// <summary>
/// A real APT repository built by the test: .deb files made with dpkg-deb, indices with apt-ftparchive, Release signed
/// (InRelease and Release.gpg) with a throwaway gpg key in its own GNUPGHOME.
/// </summary>
internal sealed class AptUpstream : IAsyncDisposable
{
    private readonly TemporaryDirectory folder = new();

    private ThrowawayGpgKey key = null!;

    private AptUpstream() => Directory.CreateDirectory(Root);

    /// <summary>The repository served over HTTP (dists/, pool/).</summary>
    public string Root => Path.Combine(folder.Path, "repo");

    public string GnuPgHome => Path.Combine(folder.Path, "gnupg");

    public string WorkPath => folder.Path;

    private Dictionary<string, string> Gpg => key.Environment;

    /// <summary>Armored public key of the signing key.</summary>
    public byte[] PublicKey => key.PublicKey;

    /// <summary>Armored secret key (no passphrase), for signing publications.</summary>
    public byte[] SecretKey => key.SecretKey;

    /// <summary>The signing key's fingerprint; its last 16 digits are the key id Packyard's messages name.</summary>
    public string Fingerprint => key.Fingerprint;

    /// <summary>An empty repository and its signing key, of gpg's <paramref name="keyAlgorithm"/>.</summary>
    public static async Task<AptUpstream> CreateAsync(string keyName = "Upstream", string keyAlgorithm = "rsa3072")
    {
        var upstream = new AptUpstream();
        upstream.key = await ThrowawayGpgKey.CreateAsync(upstream.GnuPgHome, keyName, keyAlgorithm);
        return upstream;
    }

    /// <summary>Exports the signing key as a binary keyring (what apt's <c>signed-by</c> reads) and returns its path.</summary>
    public async Task<string> ExportKeyringAsync()
    {
        var keyring = Path.Combine(folder.Path, "keyring.gpg");
        await ProcessRunner.RunAsync("gpg", ["--batch", "--yes", "--export", "-o", keyring], environment: Gpg);
        return keyring;
    }

    /// <summary>Builds a .deb with dpkg-deb and returns its path (outside the repository).</summary>
    public async Task<string> BuildDebAsync(string package, string version, string architecture, string compression = "gzip", string? source = null)
    {
        var build = Path.Combine(folder.Path, "build", $"{package}_{version}_{architecture}".Replace(':', '%'));
        Directory.CreateDirectory(Path.Combine(build, "DEBIAN"));
        Directory.CreateDirectory(Path.Combine(build, "usr", "share", "doc", package));
        await File.WriteAllTextAsync(Path.Combine(build, "usr", "share", "doc", package, "README"), $"{package} {version} for tests\n");
        await File.WriteAllTextAsync(Path.Combine(build, "DEBIAN", "control"),
            $"Package: {package}\n" + (source is null ? "" : $"Source: {source}\n") +
            $"Version: {version}\nArchitecture: {architecture}\nMaintainer: Tests <t@example.invalid>\nSection: misc\nPriority: optional\n" +
            $"Description: test package {package}\n A package built by the Packyard tests.\n .\n It does nothing.\n");
        var output = Path.Combine(folder.Path, "debs");
        Directory.CreateDirectory(output);
        var deb = Path.Combine(output, $"{package}_{version.Split(':')[^1]}_{architecture}.deb");
        await ProcessRunner.RunAsync("dpkg-deb", ["--root-owner-group", $"-Z{compression}", "--build", build, deb]);
        return deb;
    }

    /// <summary>Builds a package into the pool of <paramref name="component"/>.</summary>
    public async Task AddAsync(string component, string package, string version, string architecture)
    {
        var deb = await BuildDebAsync(package, version, architecture);
        var pool = Path.Combine(Root, "pool", component, package[..1], package);
        Directory.CreateDirectory(pool);
        File.Copy(deb, Path.Combine(pool, Path.GetFileName(deb)), overwrite: true);
    }

    /// <summary>
    /// Builds a native source package (<c>3.0 (native)</c>) with <c>dpkg-source -b</c> into the pool of <paramref name="component"/>:
    /// <c>&lt;package&gt;_&lt;version&gt;.dsc</c> and the <c>.tar.xz</c> it lists.
    /// </summary>
    public async Task AddSourceAsync(string component, string package, string version)
    {
        var tree = Path.Combine(folder.Path, "source-build", $"{package}-{version}");
        Directory.CreateDirectory(Path.Combine(tree, "debian", "source"));
        await File.WriteAllTextAsync(Path.Combine(tree, "README"), $"{package} {version}, a source package built by the Packyard tests\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "debian", "source", "format"), "3.0 (native)\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "debian", "rules"), "#!/usr/bin/make -f\n%:\n\tdh $@\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "debian", "control"),
            $"Source: {package}\nSection: misc\nPriority: optional\nMaintainer: Tests <t@example.invalid>\nStandards-Version: 4.6.2\n\n" +
            $"Package: {package}\nArchitecture: all\nDescription: test package {package}\n Built from source by the Packyard tests.\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "debian", "changelog"),
            $"{package} ({version}) unstable; urgency=medium\n\n  * Test.\n\n -- Tests <t@example.invalid>  Sun, 22 Nov 2026 07:00:00 +0000\n");
        var pool = Path.Combine(Root, "pool", component, package[..1], package);
        Directory.CreateDirectory(pool);
        await ProcessRunner.RunAsync("dpkg-source", ["-b", tree], workingDirectory: pool);
    }

    /// <summary>
    /// Indexes the pool into <c>dists/&lt;distribution&gt;</c> (Packages, .gz, .xz per component and architecture)
    /// (and with <paramref name="sources"/> Sources, .gz, .xz per component) and writes a signed Release. <paramref name="sign"/>
    /// false leaves it unsigned.
    /// </summary>
    public async Task IndexAsync(string distribution, string[] components, string[] architectures, bool sign = true, bool byHash = false, bool sources = false)
    {
        var dist = Path.Combine(Root, "dists", distribution);
        foreach (var component in components)
        {
            if (sources)
            {
                var directory = Path.Combine(dist, component, "source");
                Directory.CreateDirectory(directory);
                var index = Path.Combine(directory, "Sources");
                await ProcessRunner.RunAsync("apt-ftparchive", ["sources", Path.Combine("pool", component)], workingDirectory: Root, standardOutputFile: index);
                await ProcessRunner.RunAsync("gzip", ["-9", "-n", "-k", "-f", index]);
                await ProcessRunner.RunAsync("xz", ["-k", "-f", index]);
            }

            foreach (var architecture in architectures)
            {
                var directory = Path.Combine(dist, component, $"binary-{architecture}");
                Directory.CreateDirectory(directory);
                var packages = Path.Combine(directory, "Packages");
                var pool = Path.Combine("pool", component);
                Directory.CreateDirectory(Path.Combine(Root, pool));
                await ProcessRunner.RunAsync("apt-ftparchive", ["--arch", architecture, "packages", pool], workingDirectory: Root, standardOutputFile: packages);
                await ProcessRunner.RunAsync("gzip", ["-9", "-n", "-k", "-f", packages]);
                await ProcessRunner.RunAsync("xz", ["-k", "-f", packages]);
            }
        }

        await ReleaseAsync(distribution, components, architectures, sign, byHash);
    }

    /// <summary>(Re)writes and signs <c>dists/&lt;distribution&gt;/Release</c> over what the folder holds now.</summary>
    public async Task ReleaseAsync(string distribution, string[] components, string[] architectures, bool sign = true, bool byHash = false)
    {
        var dist = Path.Combine(Root, "dists", distribution);
        foreach (var stale in new[] { "Release", "InRelease", "Release.gpg" })
        {
            File.Delete(Path.Combine(dist, stale));
        }

        var release = Path.Combine(folder.Path, "Release.tmp");
        await ProcessRunner.RunAsync("apt-ftparchive", [
            "-o", $"APT::FTPArchive::Release::Origin=Tests", "-o", $"APT::FTPArchive::Release::Suite={distribution}",
            "-o", $"APT::FTPArchive::Release::Codename={distribution}",
            "-o", $"APT::FTPArchive::Release::Architectures={string.Join(' ', architectures)}",
            "-o", $"APT::FTPArchive::Release::Components={string.Join(' ', components)}",
            "-o", $"APT::FTPArchive::Release::Acquire-By-Hash={(byHash ? "yes" : "no")}",
            "release", dist], standardOutputFile: release);
        File.Move(release, Path.Combine(dist, "Release"));
        if (sign)
        {
            await SignAsync(distribution, Gpg);
        }
    }

    /// <summary>Signs the Release of <paramref name="distribution"/> with the key in <paramref name="gpgEnvironment"/>.</summary>
    public async Task SignAsync(string distribution, Dictionary<string, string>? gpgEnvironment = null)
    {
        var dist = Path.Combine(Root, "dists", distribution);
        var environment = gpgEnvironment ?? Gpg;
        await ProcessRunner.RunAsync("gpg", ["--batch", "--yes", "--clearsign", "-o", Path.Combine(dist, "InRelease"), Path.Combine(dist, "Release")], environment: environment);
        await ProcessRunner.RunAsync("gpg", ["--batch", "--yes", "-abs", "-o", Path.Combine(dist, "Release.gpg"), Path.Combine(dist, "Release")], environment: environment);
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("gpgconf", ["--kill", "gpg-agent"], environment: Gpg, check: false);
        folder.Dispose();
    }
}
