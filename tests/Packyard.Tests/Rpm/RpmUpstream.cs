using System.Text;
using Packyard.Tests.Deb;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Rpm;

/// <summary>A package the test builds with rpmbuild: noarch, with dependencies, files and a changelog.</summary>
internal sealed record RpmSpec(string Name, string Version, string Release = "1", string? Epoch = null, string[]? Requires = null, string[]? Provides = null)
{
    public string FileName => $"{Name}-{Version}-{Release}.noarch.rpm";
}

/// <summary>
/// A real yum repository built by the test: rpms from rpmbuild signed with rpmsign, indexed with createrepo_c (optionally
/// with comps and an updateinfo added by modifyrepo_c), repomd.xml signed with gpg, all with a throwaway key in its own GNUPGHOME.
/// </summary>
internal sealed class RpmUpstream : IAsyncDisposable
{
    private readonly TemporaryDirectory folder = new();

    private ThrowawayGpgKey key = null!;

    private RpmUpstream() => Directory.CreateDirectory(Root);

    /// <summary>The repository served over HTTP (rpms, repodata/).</summary>
    public string Root => Path.Combine(folder.Path, "repo");

    public string GnuPgHome => Path.Combine(folder.Path, "gnupg");

    public string WorkPath => folder.Path;

    public Dictionary<string, string> Gpg => key.Environment;

    /// <summary>Armored public key of the signing key.</summary>
    public byte[] PublicKey => key.PublicKey;

    /// <summary>Armored secret key (no passphrase), for signing publications.</summary>
    public byte[] SecretKey => key.SecretKey;

    public string Fingerprint => key.Fingerprint;

    /// <summary>An empty repository and its signing key, of gpg's <paramref name="keyAlgorithm"/>.</summary>
    public static async Task<RpmUpstream> CreateAsync(string keyName = "Upstream", string keyAlgorithm = "rsa3072")
    {
        var upstream = new RpmUpstream();
        upstream.key = await ThrowawayGpgKey.CreateAsync(upstream.GnuPgHome, keyName, keyAlgorithm);
        return upstream;
    }

    /// <summary>Builds the packages with one rpmbuild run, signs them with rpmsign and puts them in the repository root.</summary>
    public async Task AddAsync(params RpmSpec[] specs)
    {
        var specFolder = Path.Combine(folder.Path, "specs");
        var output = Path.Combine(folder.Path, "rpms");
        Directory.CreateDirectory(specFolder);
        var files = new List<string>();
        foreach (var spec in specs)
        {
            var path = Path.Combine(specFolder, $"{spec.Name}-{spec.Version}-{spec.Release}.spec");
            await File.WriteAllTextAsync(path, SpecText(spec));
            files.Add(path);
        }

        await ProcessRunner.RunAsync("rpmbuild", [
            "-bb", "--quiet", "--define", $"_topdir {Path.Combine(folder.Path, "rpmbuild")}", "--define", $"_rpmdir {output}",
            "--define", "_build_id_links none", "--define", "_source_payload w2.xzdio", "--define", "_binary_payload w2.xzdio", .. files]);
        var built = specs.Select(s => Path.Combine(output, "noarch", s.FileName)).ToList();
        await ProcessRunner.RunAsync("rpmsign", ["--define", "__gpg /usr/bin/gpg", "--define", $"_gpg_name {Fingerprint}", "--addsign", .. built], environment: Gpg);
        foreach (var rpm in built)
        {
            File.Copy(rpm, Path.Combine(Root, Path.GetFileName(rpm)), overwrite: true);
        }
    }

    private static string SpecText(RpmSpec spec)
    {
        var text = new StringBuilder()
            .Append($"Name: {spec.Name}\nVersion: {spec.Version}\nRelease: {spec.Release}\n")
            .Append(spec.Epoch is null ? "" : $"Epoch: {spec.Epoch}\n")
            .Append($"Summary: {spec.Name} for the Packyard tests\nLicense: MIT\nURL: https://example.invalid/{spec.Name}\nBuildArch: noarch\n")
            // No generated dependencies (/bin/sh): the install root holds only what these repositories provide.
            .Append("AutoReqProv: no\n");
        foreach (var requirement in spec.Requires ?? [])
        {
            text.Append($"Requires: {requirement}\n");
        }

        foreach (var provide in spec.Provides ?? [])
        {
            text.Append($"Provides: {provide}\n");
        }

        text.Append($"%description\nThe {spec.Name} package, built by the tests <&> with \"quotes\".\n")
            .Append("%install\n")
            .Append($"mkdir -p %{{buildroot}}/usr/share/{spec.Name} %{{buildroot}}/usr/bin %{{buildroot}}/etc\n")
            .Append($"echo '{spec.Name} {spec.Version}' > %{{buildroot}}/usr/share/{spec.Name}/README\n")
            .Append($"echo 'setting=1' > %{{buildroot}}/etc/{spec.Name}.conf\n")
            .Append($"printf '#!/bin/sh\\necho {spec.Name}\\n' > %{{buildroot}}/usr/bin/{spec.Name}\n")
            .Append("%files\n")
            .Append($"%dir /usr/share/{spec.Name}\n/usr/share/{spec.Name}/README\n%config(noreplace) /etc/{spec.Name}.conf\n%attr(0755,root,root) /usr/bin/{spec.Name}\n")
            .Append($"%changelog\n* Sun Nov 22 2026 Tests <t@example.invalid> - {spec.Version}-{spec.Release}\n- Build {spec.Name} for the tests\n");
        return text.ToString();
    }

    /// <summary>
    /// Indexes the root with createrepo_c (<paramref name="compression"/>: gz, xz, bz2, or zstd, which createrepo_c 0.17 lacks:
    /// then the zstd tool recompresses its gz files), with comps and an updateinfo when asked, and signs repomd.xml
    /// (detached, armored) unless <paramref name="sign"/> is false.
    /// </summary>
    public async Task IndexAsync(string compression = "gz", bool extras = false, bool sign = true)
    {
        if (Directory.Exists(Path.Combine(Root, "repodata")))
        {
            Directory.Delete(Path.Combine(Root, "repodata"), recursive: true);
        }

        var arguments = new List<string> { "--no-database", "--general-compress-type", compression == "zstd" ? "gz" : compression, "--quiet" };
        if (extras)
        {
            var comps = Path.Combine(folder.Path, "comps.xml");
            await File.WriteAllTextAsync(comps, """
                <?xml version="1.0" encoding="UTF-8"?>
                <comps><group><id>tests</id><name>Tests</name><description>Test group</description><default>true</default><uservisible>true</uservisible>
                <packagelist><packagereq type="default">alpha</packagereq></packagelist></group></comps>
                """);
            arguments.AddRange(["-g", comps]);
        }

        await ProcessRunner.RunAsync("createrepo_c", [.. arguments, Root]);
        if (extras)
        {
            var updateinfo = Path.Combine(folder.Path, "updateinfo.xml");
            await File.WriteAllTextAsync(updateinfo, """
                <?xml version="1.0" encoding="UTF-8"?>
                <updates><update from="t@example.invalid" status="stable" type="security" version="1"><id>TEST-2026-1</id><title>Fix alpha</title>
                <issued date="2026-11-22 00:00:00"/><severity>Important</severity><description>Test advisory</description>
                <pkglist><collection short="tests"><name>tests</name><package name="alpha" version="1.0" release="1" epoch="0" arch="noarch">
                <filename>alpha-1.0-1.noarch.rpm</filename></package></collection></pkglist></update></updates>
                """);
            await ProcessRunner.RunAsync("modifyrepo_c", ["--mdtype=updateinfo", updateinfo, Path.Combine(Root, "repodata")]);
        }

        if (compression == "zstd")
        {
            foreach (var type in new[] { "primary", "filelists", "other" })
            {
                var gz = MetadataPath(type);
                await ProcessRunner.RunAsync("sh", ["-c", $"gzip -dc '{gz}' | zstd -q -19 -o '{gz[..^3]}.zst'"]);
                await ReplaceMetadataAsync(type, await File.ReadAllBytesAsync(gz[..^3] + ".zst"), Path.GetFileName(gz[..^3]) + ".zst", sign: false);
                File.Delete(gz);
            }
        }

        if (sign)
        {
            await SignRepomdAsync(Gpg);
        }
    }

    public string RepomdPath => Path.Combine(Root, "repodata", "repomd.xml");

    /// <summary>Signs repomd.xml (repomd.xml.asc) with the key in <paramref name="gpgEnvironment"/>.</summary>
    public Task SignRepomdAsync(Dictionary<string, string> gpgEnvironment) =>
        ProcessRunner.RunAsync("gpg", ["--batch", "--yes", "--detach-sign", "--armor", "-o", RepomdPath + ".asc", RepomdPath], environment: gpgEnvironment);

    /// <summary>The path of the metadata file of <paramref name="type"/> that repomd.xml lists.</summary>
    public string MetadataPath(string type)
    {
        var repomd = File.ReadAllText(RepomdPath);
        var at = repomd.IndexOf($"<data type=\"{type}\">", StringComparison.Ordinal);
        var href = repomd.IndexOf("href=\"", at, StringComparison.Ordinal) + 6;
        return Path.Combine(Root, repomd[href..repomd.IndexOf('"', href)]);
    }

    /// <summary>
    /// Replaces the metadata file of <paramref name="type"/> with <paramref name="content"/> (already compressed as its name
    /// says) and rewrites repomd.xml's checksum and size to match, so only the content itself is hostile; re-signs repomd.xml.
    /// With <paramref name="newFileName"/> the content is written under that name in repodata/ and repomd.xml points at it.
    /// </summary>
    public async Task ReplaceMetadataAsync(string type, byte[] content, string? newFileName = null, bool sign = true)
    {
        var path = MetadataPath(type);
        var oldName = Path.GetFileName(path);
        var oldSha = FileUpstream.Sha256(await File.ReadAllBytesAsync(path));
        var oldSize = new FileInfo(path).Length;
        await File.WriteAllBytesAsync(newFileName is null ? path : Path.Combine(Root, "repodata", newFileName), content);
        var repomd = await File.ReadAllTextAsync(RepomdPath);
        var at = repomd.IndexOf($"<data type=\"{type}\">", StringComparison.Ordinal);
        var end = repomd.IndexOf("</data>", at, StringComparison.Ordinal);
        var entry = repomd[at..end]
            .Replace($">{oldSha}</checksum>", $">{FileUpstream.Sha256(content)}</checksum>", StringComparison.Ordinal)
            .Replace($"<size>{oldSize}</size>", $"<size>{content.Length}</size>", StringComparison.Ordinal)
            .Replace(oldName, newFileName ?? oldName, StringComparison.Ordinal);
        await File.WriteAllTextAsync(RepomdPath, repomd[..at] + entry + repomd[end..]);
        if (sign)
        {
            await SignRepomdAsync(Gpg);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync("gpgconf", ["--kill", "gpg-agent"], environment: Gpg, check: false);
        folder.Dispose();
    }
}
