using System.Globalization;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Deb;

/// <summary>
/// The deb options as a user sets them: in the Remote's <c>spec.deb</c> and the Repository's <c>spec.publish.deb</c> of
/// manifests run by the real <c>packyard run</c>, read back from the published Release and by a real apt-get.
/// </summary>
public sealed class DebPublishOptionsTests
{
    [Fact]
    public async Task Origin_label_validFor_and_xzPreset_of_spec_publish_deb_reach_the_Release_and_apt_accepts_it_and_a_changed_remote_block_syncs_again()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.AddAsync("main", "hello", "2.10-3", "arm64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64", "arm64"]);
        await using var packyardKey = await AptUpstream.CreateAsync("Packyard");
        var keyring = await File.ReadAllBytesAsync(await packyardKey.ExportKeyringAsync());
        using var workspace = new StandaloneWorkspace();
        workspace.Write("deb.yaml", Manifests(upstream, packyardKey, "[amd64]"));
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(DebPublishOptionsTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);

        await packyard.WaitForAsync("version 1 is published and served",
            r => r.IsReady("Distribution", "example") && r.LatestVersion("example") == 1
                 && r.PublishedVersion("example") == 1);

        var release = Fields(await packyard.Http.GetStringAsync("debian/example/dists/bookworm/Release"));
        Assert.Equal("Example", release["Origin"]);
        Assert.Equal("Example Label", release["Label"]);
        Assert.Equal(TimeSpan.FromDays(7), Rfc2822(release["Valid-Until"]) - Rfc2822(release["Date"]));
        var xz = await packyard.Http.GetByteArrayAsync("debian/example/dists/bookworm/main/binary-amd64/Packages.xz");
        Assert.Equal(22, Lzma2DictionaryByte(xz)); // an 8 MiB dictionary: preset 6 (the default, 1, has 1 MiB: 16)
        using (var apt = new AptClient($"deb [signed-by=KEYRING] {packyard.BaseUrl}debian/example/ bookworm main", keyring))
        {
            await apt.UpdateAndDownloadAsync("hello", "hello_2.10-3_amd64.deb");
        }

        // Nothing upstream changed and nothing was requested: only the Remote's type block did.
        workspace.Write("deb.yaml", Manifests(upstream, packyardKey, "[amd64, arm64]"));

        var resources = new ResourceSnapshot(await packyard.WaitForAsync("the changed architectures made version 2",
            r => r.LatestVersion("example") == 2 && r.IsReady("Repository", "example")));
        Assert.Equal(1, (long?)resources.Status("Repository", "example")!["lastSync"]!["added"]);
        await packyard.WaitUntilAsync("the arm64 index is published", async () =>
            (await packyard.Http.GetStringAsync("debian/example/dists/bookworm/main/binary-arm64/Packages")).Contains("Package: hello", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_suite_of_spec_publish_deb_suites_is_in_the_Release_and_serves_the_same_signed_distribution_to_apt_under_both_names()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        await using var packyardKey = await AptUpstream.CreateAsync("Packyard");
        var keyring = await File.ReadAllBytesAsync(await packyardKey.ExportKeyringAsync());
        using var workspace = new StandaloneWorkspace();
        workspace.Write("deb.yaml", Manifests(upstream, packyardKey, "[amd64]", "{suites: [{codename: bookworm, suite: stable}]}"));
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(DebPublishOptionsTests) + "_suites");
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);

        await packyard.WaitForAsync("version 1 is published and served",
            r => r.IsReady("Distribution", "example") && r.PublishedVersion("example") == 1);

        var release = Fields(await packyard.Http.GetStringAsync("debian/example/dists/bookworm/Release"));
        Assert.Equal(("stable", "bookworm"), (release["Suite"], release["Codename"]));
        Assert.Equal(await packyard.Http.GetByteArrayAsync("debian/example/dists/bookworm/InRelease"),
            await packyard.Http.GetByteArrayAsync("debian/example/dists/stable/InRelease"));
        Assert.Equal(await packyard.Http.GetByteArrayAsync("debian/example/dists/bookworm/main/binary-amd64/Packages.xz"),
            await packyard.Http.GetByteArrayAsync("debian/example/dists/stable/main/binary-amd64/Packages.xz"));
        Assert.Contains("Archive: stable\n", await packyard.Http.GetStringAsync("debian/example/dists/stable/main/binary-amd64/Release"), StringComparison.Ordinal);
        foreach (var name in new[] { "stable", "bookworm" })
        {
            using var apt = new AptClient($"deb [signed-by=KEYRING] {packyard.BaseUrl}debian/example/ {name} main", keyring);
            await apt.UpdateAndDownloadAsync("hello", "hello_2.10-3_amd64.deb");
        }
    }

    [Fact]
    public async Task A_changed_spec_publish_republishes_the_served_version_without_a_new_version_and_apt_accepts_the_new_key()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        await using var firstKey = await AptUpstream.CreateAsync("Packyard");
        await using var secondKey = await AptUpstream.CreateAsync("Packyard rotated");
        using var workspace = new StandaloneWorkspace();
        workspace.Write("deb.yaml", Manifests(upstream, firstKey, "[amd64]"));
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(DebPublishOptionsTests) + "_republish");
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        var served = new ResourceSnapshot(await packyard.WaitForAsync("version 1 is published and served",
            r => r.IsReady("Distribution", "example") && r.PublishedVersion("example") == 1));
        var published = (string?)served.Status("Repository", "example")!["publication"]!["created"];

        // The signing key rotated and the Release fields changed; nothing upstream did.
        workspace.Write("deb.yaml", Manifests(upstream, secondKey, "[amd64]", "{origin: Rotated, label: Example Label, validFor: 3d}"));

        var resources = new ResourceSnapshot(await packyard.WaitForAsync("version 1 is published again",
            r => r.IsReady("Repository", "example") && (string?)r.Status("Repository", "example")?["publication"]?["created"] != published));
        Assert.Equal(1, resources.LatestVersion("example"));
        Assert.Equal(1, resources.PublishedVersion("example"));
        var release = Fields(await packyard.Http.GetStringAsync("debian/example/dists/bookworm/Release"));
        Assert.Equal("Rotated", release["Origin"]);
        Assert.Equal(TimeSpan.FromDays(3), Rfc2822(release["Valid-Until"]) - Rfc2822(release["Date"]));
        using var apt = new AptClient($"deb [signed-by=KEYRING] {packyard.BaseUrl}debian/example/ bookworm main",
            await File.ReadAllBytesAsync(await secondKey.ExportKeyringAsync()));
        await apt.UpdateAndDownloadAsync("hello", "hello_2.10-3_amd64.deb");
    }

    private static string Manifests(AptUpstream upstream, AptUpstream packyardKey, string architectures,
        string publishDeb = "{origin: Example, label: Example Label, validFor: 7d, xzPreset: 6}") => $$"""
        apiVersion: v1
        kind: Secret
        metadata: {name: upstream-key}
        data: {key.asc: {{Convert.ToBase64String(upstream.PublicKey)}}}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: signing-key}
        data: {private.asc: {{Convert.ToBase64String(packyardKey.SecretKey)}}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: example}
        spec:
          type: deb
          url: file://{{upstream.Root}}/
          deb:
            distributions: [bookworm]
            architectures: {{architectures}}
            signingKeySecretRef: {name: upstream-key}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: example}
        spec:
          type: deb
          remoteRef: {name: example}
          publish:
            signingKeySecretRef: {name: signing-key}
            deb: {{publishDeb}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: example}
        spec:
          basePath: debian/example
          repositoryRef: {name: example}
        """;

    /// <summary>The single-line fields of a Release.</summary>
    private static Dictionary<string, string> Fields(string release) =>
        release.Split('\n').Where(line => line.Length > 0 && line[0] != ' ' && line.Contains(": ", StringComparison.Ordinal))
            .Select(line => line.Split(": ", 2)).ToDictionary(pair => pair[0], pair => pair[1]);

    private static DateTimeOffset Rfc2822(string text) =>
        DateTimeOffset.ParseExact(text, "ddd, dd MMM yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>
    /// The LZMA2 properties byte of the first block of an .xz stream: its dictionary size, which the preset decides (xz file
    /// format 1.1: 12-byte stream header, then the block header's size, flags, optional sizes, filter id 0x21 and its one byte).
    /// </summary>
    private static int Lzma2DictionaryByte(byte[] xz)
    {
        var header = xz.AsSpan(12);
        var flags = header[1];
        var at = 2;
        if ((flags & 0x40) != 0)
        {
            SkipVarint(header, ref at);
        }

        if ((flags & 0x80) != 0)
        {
            SkipVarint(header, ref at);
        }

        Assert.Equal(0x21, header[at]); // LZMA2
        Assert.Equal(1, header[at + 1]);
        return header[at + 2];
    }

    private static void SkipVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        while ((bytes[at++] & 0x80) != 0)
        {
        }
    }
}
