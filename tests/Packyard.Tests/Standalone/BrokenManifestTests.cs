using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// A manifest broken while `packyard run` runs (a typo, a save caught halfway, a bad git revision) must never delete
/// data: the file's resources keep their last good manifest, Stalled, until it parses again. Each test runs the real
/// process on a copy of the quickstart with a database of its own, after an upload made version 2.
/// </summary>
public sealed class BrokenManifestTests
{
    private const string Token = "broken-manifest-tests-token";
    private static readonly byte[] Uploaded = "uploaded before the manifest broke\n"u8.ToArray();

    public static TheoryData<string> Breakages() => ["syntax error", "empty file", "whitespace only", "cut after a kind line", "comments only"];

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task A_manifest_that_stops_parsing_keeps_every_version_and_the_same_content_after_the_fix(string breakage)
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(BrokenManifestTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database, "--upload-token", Token);
        var before = await ServeVersion2Async(packyard, database);
        var valid = workspace.Read("quickstart.yaml");

        // Written in place (not renamed into place), as an editor's non-atomic save does.
        File.WriteAllText(workspace.PathOf("quickstart.yaml"), breakage switch
        {
            "syntax error" => valid.Replace("kind: Repository\n", "kind: Repository\n  oops: [unclosed\n", StringComparison.Ordinal),
            "empty file" => "",
            "whitespace only" => "\n   \n\t\n",
            "cut after a kind line" => valid[..(valid.IndexOf("kind: Repository\n", StringComparison.Ordinal) + "kind: Repository\n".Length)],
            "comments only" => valid[..valid.IndexOf("apiVersion:", StringComparison.Ordinal)],
            _ => throw new ArgumentOutOfRangeException(nameof(breakage)),
        });

        await AssertKeptWhileBrokenAsync(packyard, database, before);

        workspace.Write("quickstart.yaml", valid);

        await AssertBackAsync(packyard, database, before);
    }

    [Fact]
    public async Task A_git_checkout_of_a_broken_revision_and_back_loses_no_version()
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        var valid = workspace.Read("quickstart.yaml");
        await GitAsync(workspace.Manifests, "init", "-q", "-b", "main");
        await GitAsync(workspace.Manifests, "add", "-A");
        await GitAsync(workspace.Manifests, "commit", "-q", "-m", "good");
        // A revision with an unresolved merge conflict committed by mistake.
        workspace.Write("quickstart.yaml", valid.Replace("  retainVersions: 10\n", "<<<<<<< HEAD\n  retainVersions: 10\n=======\n  retainVersions: 5\n>>>>>>> topic\n", StringComparison.Ordinal));
        await GitAsync(workspace.Manifests, "commit", "-q", "-a", "-m", "broken");
        await GitAsync(workspace.Manifests, "checkout", "-q", "HEAD~1");
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(BrokenManifestTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database, "--upload-token", Token);
        var before = await ServeVersion2Async(packyard, database);

        await GitAsync(workspace.Manifests, "checkout", "-q", "main");

        await AssertKeptWhileBrokenAsync(packyard, database, before);

        await GitAsync(workspace.Manifests, "checkout", "-q", "HEAD~1");

        await AssertBackAsync(packyard, database, before);
    }

    [Fact]
    public async Task A_burst_of_non_atomic_writes_is_read_once_after_the_last()
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(BrokenManifestTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        await packyard.WaitForAsync("Repository quickstart is Ready at generation 1",
            r => r.IsReady("Repository", "quickstart") && (long?)r.Find("Repository", "quickstart")!["generation"] == 1);
        var valid = workspace.Read("quickstart.yaml");
        var path = workspace.PathOf("quickstart.yaml");

        // 15 saves 100 ms apart, each truncating the file, writing half, then the rest: every save changes the spec.
        for (var retain = 11; retain <= 25; retain++)
        {
            var text = valid.Replace("retainVersions: 10", $"retainVersions: {retain}", StringComparison.Ordinal);
            await using (var stream = new FileStream(path, FileMode.Truncate, FileAccess.Write))
            {
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text[..(text.Length / 2)]));
                await stream.FlushAsync();
                await Task.Delay(30);
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text[(text.Length / 2)..]));
            }

            await Task.Delay(70);
        }

        await packyard.WaitForAsync("Repository quickstart took the new spec",
            r => (long?)r.Find("Repository", "quickstart")!["generation"] >= 2 && r.IsReady("Repository", "quickstart"));
        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than the quiet period and a poll: any second read shows now
        var resources = new ResourceSnapshot((await packyard.TryGetResourcesAsync())!);

        Assert.Equal(2, (long?)resources.Find("Repository", "quickstart")!["generation"]);
        Assert.True(resources.IsReady("Repository", "quickstart"));
        Assert.DoesNotContain("quickstart.yaml:", packyard.Output, StringComparison.Ordinal);
    }

    /// <summary>Waits for version 1 (the sync), uploads a file (version 2), and returns what is served and stored then.</summary>
    private static async Task<Served> ServeVersion2Async(PackyardProcess packyard, string database)
    {
        await packyard.WaitForAsync("the quickstart is served at version 1",
            r => r.IsReady("Distribution", "quickstart") && r.IsReady("Repository", "quickstart") && r.LatestVersion("quickstart") == 1);
        using (var upload = new MultipartFormDataContent { { new StringContent("notes/uploaded.txt"), "relativePath" }, { new ByteArrayContent(Uploaded), "file", "uploaded.txt" } })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/namespaces/default/repositories/quickstart/content") { Content = upload };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await packyard.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"upload: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await packyard.WaitUntilAsync("version 2 with the upload is served", async () =>
            (await packyard.Http.GetAsync("files/quickstart/notes/uploaded.txt")).StatusCode == HttpStatusCode.OK);
        await packyard.WaitForAsync("Repository quickstart reports version 2", r => r.LatestVersion("quickstart") == 2);
        return await ReadServedAsync(packyard, database);
    }

    private static async Task<Served> ReadServedAsync(PackyardProcess packyard, string database) => new(
        await StandaloneWorkspace.VersionsAsync(database, "quickstart"),
        await packyard.Http.GetStringAsync("files/quickstart/PULP_MANIFEST"),
        await packyard.Http.GetByteArrayAsync("files/quickstart/hello.txt"),
        await packyard.Http.GetByteArrayAsync("files/quickstart/notes/uploaded.txt"));

    private static async Task AssertKeptWhileBrokenAsync(PackyardProcess packyard, string database, Served before)
    {
        var resources = new ResourceSnapshot(await packyard.WaitForAsync("every quickstart resource is Stalled and kept",
            r => new[] { ("Remote", "quickstart-upstream"), ("Repository", "quickstart"), ("Distribution", "quickstart") }
                .All(k => (string?)r.Condition(k.Item1, k.Item2, "Stalled")?["status"] == "True"),
            TimeSpan.FromSeconds(20)));

        var message = (string?)resources.Condition("Repository", "quickstart", "Ready")!["message"];
        Assert.Matches(@"quickstart\.yaml:\d+:\d+: ", message);
        Assert.Contains("keep their last good manifest", message, StringComparison.Ordinal);
        Assert.Equal(2, resources.LatestVersion("quickstart"));
        Assert.Equal(before, await ReadServedAsync(packyard, database));
        Assert.DoesNotContain("removed from the manifests", packyard.Output, StringComparison.Ordinal);
    }

    private static async Task AssertBackAsync(PackyardProcess packyard, string database, Served before)
    {
        var resources = new ResourceSnapshot(await packyard.WaitForAsync("the quickstart is Ready again",
            r => r.IsReady("Repository", "quickstart") && r.IsReady("Distribution", "quickstart") && r.IsReady("Remote", "quickstart-upstream")
                 && r.Condition("Repository", "quickstart", "Stalled") is null));

        Assert.Equal(2, resources.LatestVersion("quickstart"));
        Assert.Equal([0L, 1L, 2L], before.Versions);
        Assert.Equal(before, await ReadServedAsync(packyard, database));
        Assert.DoesNotContain("removed from the manifests", packyard.Output, StringComparison.Ordinal);
    }

    private static async Task GitAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-C", directory, "-c", "user.name=Packyard Tests", "-c", "user.email=tests@example.invalid", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync() + await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {output}");
    }

    /// <summary>What the database holds and the distribution serves; records compare by value (the byte arrays as sequences).</summary>
    private sealed record Served(List<long> Versions, string Manifest, byte[] Hello, byte[] Upload)
    {
        public bool Equals(Served? other) => other is not null && Versions.SequenceEqual(other.Versions) && Manifest == other.Manifest
            && Hello.AsSpan().SequenceEqual(other.Hello) && Upload.AsSpan().SequenceEqual(other.Upload);

        public override int GetHashCode() => Manifest.GetHashCode(StringComparison.Ordinal);
    }
}
