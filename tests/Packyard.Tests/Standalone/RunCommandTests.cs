using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// `packyard run --manifests DIR` as a process, as a user runs it: start, sync, serve, crash and resume.
/// Each test has a database of its own in the test run's PostgreSQL cluster, except the quickstart, which uses the embedded default.
/// </summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task Quickstart_serves_every_manifest_file_with_its_digest()
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        try
        {
            await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database: null);

            await packyard.WaitForAsync("Distribution quickstart is Ready", r => r.IsReady("Distribution", "quickstart"));
            var manifest = await packyard.Http.GetStringAsync("files/quickstart/PULP_MANIFEST");

            var lines = manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var upstream = workspace.Read("upstream/PULP_MANIFEST").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(upstream.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
            foreach (var line in lines)
            {
                var (path, sha256, size) = (line.Split(',')[0], line.Split(',')[1], long.Parse(line.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture));
                var content = await packyard.Http.GetByteArrayAsync($"files/quickstart/{path}");
                Assert.Equal((path, sha256, size), (path, Convert.ToHexStringLower(SHA256.HashData(content)), (long)content.Length));
            }

            Assert.True(File.Exists(Path.Combine(workspace.Data, "postgres", "data", "PG_VERSION")), "the private PostgreSQL lives under --data-dir");
            var secretKey = Path.Combine(workspace.Data, "secret-key");
            Assert.True(File.Exists(secretKey), "the key encrypting Remote credentials is generated under --data-dir");
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretKey));
            }
        }
        finally
        {
            await StopPrivatePostgresAsync(Path.Combine(workspace.Data, "postgres", "data"));
        }
    }

    [Fact]
    public async Task Killed_mid_sync_leaves_only_version_0_and_the_restart_resumes_without_downloading_again()
    {
        const int files = 300;
        const int concurrency = 2;
        using var upstream = new FileUpstream();
        for (var i = 0; i < files; i++)
        {
            upstream.Put($"f{i:D3}.txt", $"file {i}\n");
        }

        upstream.WriteManifest();
        await using var http = await HttpUpstream.StartAsync(upstream.Path);
        http.Delay = TimeSpan.FromMilliseconds(20);
        using var workspace = new StandaloneWorkspace();
        workspace.Write("big.yaml", $$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: big, namespace: default}
            spec:
              type: file
              url: {{http.Url}}
              downloadConcurrency: {{concurrency}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: big, namespace: default}
            spec:
              type: file
              remoteRef: {name: big}
              sync: {mode: Mirror}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(RunCommandTests));
        int FileRequests() => http.Requests.Where(r => r.Key != "PULP_MANIFEST").Sum(r => r.Value);

        Dictionary<string, int> beforeKill;
        await using (var first = PackyardProcess.Start(workspace.Manifests, workspace.Data, database))
        {
            await first.WaitUntilAsync("the first sync downloaded 30 files", () => Task.FromResult(FileRequests() >= 30), TimeSpan.FromSeconds(30));
            first.Kill();

            // Requests whose bytes reached the upstream before the kill may still be counted just after it: let the counts settle.
            var settled = -1;
            while (settled != FileRequests())
            {
                settled = FileRequests();
                await Task.Delay(500);
            }

            beforeKill = http.Requests.Where(r => r.Key != "PULP_MANIFEST").ToDictionary(r => r.Key, r => r.Value);
        }

        Assert.InRange(beforeKill.Count, 30, files - 1);
        Assert.Equal([0L], await StandaloneWorkspace.VersionsAsync(database, "big"));

        await using var second = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        await second.WaitForAsync("Repository big is Ready with version 1",
            r => r.IsReady("Repository", "big") && r.LatestVersion("big") == 1);

        var requests = http.Requests.Where(r => r.Key != "PULP_MANIFEST").ToDictionary(r => r.Key, r => r.Value);
        Assert.Equal(files, requests.Count);
        Assert.All(requests, r => Assert.InRange(r.Value, 1, 2));
        var downloadedTwice = requests.Where(r => r.Value == 2).Select(r => r.Key).ToList();
        Assert.True(downloadedTwice.Count <= concurrency,
            $"only downloads in flight at the kill (at most {concurrency}) may repeat, but these did: {string.Join(", ", downloadedTwice)}");
        Assert.All(downloadedTwice, path => Assert.Contains(path, beforeKill.Keys));
        Assert.True(requests.Values.Sum() <= files + concurrency, $"{requests.Values.Sum()} file downloads for {files} files");
        Assert.Equal([0L, 1L], await StandaloneWorkspace.VersionsAsync(database, "big"));
        Assert.Equal(files, await StandaloneWorkspace.CurrentContentCountAsync(database, "big"));
    }

    [Fact]
    public async Task Digest_mismatch_fails_the_sync_names_the_file_and_publishes_nothing()
    {
        using var upstream = new FileUpstream().Put("good.txt", "fine").Put("bad.txt", "tampered").WriteManifest(
            $"good.txt,{FileUpstream.Sha256("fine"u8.ToArray())},4\nbad.txt,{FileUpstream.Sha256("original"u8.ToArray())},8\n");
        using var workspace = new StandaloneWorkspace();
        workspace.Write("liar.yaml", $$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: liar, namespace: default}
            spec: {type: file, url: "{{upstream.FileUrl.AbsoluteUri}}"}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: liar, namespace: default}
            spec:
              type: file
              remoteRef: {name: liar}
              sync: {mode: Mirror}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: liar, namespace: default}
            spec:
              basePath: files/liar
              repositoryRef: {name: liar}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(RunCommandTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);

        var resources = new ResourceSnapshot(await packyard.WaitForAsync("the sync of Repository liar failed",
            r => (string?)r.Status("Repository", "liar")?["lastSync"]?["result"] == "Failed"
                 && (string?)r.Condition("Repository", "liar", "Ready")?["status"] == "False"));

        var ready = resources.Condition("Repository", "liar", "Ready")!;
        Assert.StartsWith("SyncFailed", (string?)ready["reason"]);
        Assert.Contains("bad.txt", (string?)ready["message"]);
        Assert.DoesNotContain("good.txt", (string?)ready["message"]);
        // The declared digest, never the digest of what was read (an oracle for files the reader cannot see).
        Assert.Contains(FileUpstream.Sha256("original"u8.ToArray()), (string?)ready["message"]);
        Assert.DoesNotContain(FileUpstream.Sha256("tampered"u8.ToArray()), resources.Items.ToJsonString());
        Assert.Contains("bad.txt", (string?)resources.Status("Repository", "liar")!["lastSync"]!["message"]);
        Assert.Equal(0, resources.LatestVersion("liar") ?? 0);
        Assert.Equal([0L], await StandaloneWorkspace.VersionsAsync(database, "liar"));
        Assert.False(resources.IsReady("Distribution", "liar"));
        using (var file = await packyard.Http.GetAsync("files/liar/good.txt"))
        {
            Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
        }

        using var manifest = await packyard.Http.GetAsync("files/liar/PULP_MANIFEST");
        Assert.True(manifest.StatusCode == HttpStatusCode.NotFound || (await manifest.Content.ReadAsStringAsync()).Length == 0,
            $"no version with content may be served, got {manifest.StatusCode}: {await manifest.Content.ReadAsStringAsync()}");
    }

    /// <summary>Stops the PostgreSQL that packyard started under its data directory (it keeps running by design).</summary>
    private static async Task StopPrivatePostgresAsync(string dataDirectory)
    {
        if (!File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            return;
        }

        var pgCtl = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin", "pg_ctl"))
            .Where(File.Exists)
            .OrderDescending(StringComparer.Ordinal)
            .First();
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : pgCtl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in asRoot ? ["-u", "postgres", "--", pgCtl, "-D", dataDirectory, "stop", "-m", "fast", "-w"] : (string[])["-D", dataDirectory, "stop", "-m", "fast", "-w"])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        output.Append(await process.StandardOutput.ReadToEndAsync()).Append(await process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        // Not an assertion: a failure here must not hide the test's own failure; a leak shows in the output below.
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"pg_ctl stop failed: {output}");
        }
    }
}
