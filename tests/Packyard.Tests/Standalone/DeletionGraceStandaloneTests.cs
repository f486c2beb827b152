using System.Net;
using System.Text.RegularExpressions;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// The deletion grace period in <c>packyard run</c>: a manifest file removed (a git revert, a mistake) and added back within the
/// grace period serves exactly what it served before.
/// </summary>
public sealed class DeletionGraceStandaloneTests
{
    private const string Token = "grace-upload-token";

    private const string Manifest = """
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata:
          name: grace-upstream
          namespace: default
        spec:
          type: file
          url: file:upstream/
          policy: Immediate
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata:
          name: grace
          namespace: default
        spec:
          type: file
          remoteRef:
            name: grace-upstream
          sync:
            mode: Additive
          uploads:
            enabled: true
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata:
          name: grace
          namespace: default
        spec:
          basePath: files/grace
          repositoryRef:
            name: grace
        """;

    [Fact]
    public async Task A_repository_removed_from_the_manifests_and_added_back_within_the_grace_serves_what_it_served_before()
    {
        using var workspace = new StandaloneWorkspace();
        workspace.Write("upstream/a.txt", "alpha\n");
        workspace.Write("upstream/b.txt", "beta\n");
        workspace.WriteUpstreamManifest();
        workspace.Write("grace.yaml", Manifest);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(DeletionGraceStandaloneTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database, "--upload-token", Token);
        await packyard.WaitForAsync("the repository is synced to version 1 and served",
            r => r.IsReady("Repository", "grace") && r.LatestVersion("grace") == 1 && r.IsReady("Distribution", "grace"));

        using (var upload = new HttpRequestMessage(HttpMethod.Post, "api/v1/namespaces/default/repositories/grace/content")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent("notes/uploaded.txt"), "relativePath" },
                { new ByteArrayContent("uploaded\n"u8.ToArray()), "file", "uploaded.txt" },
            },
        })
        {
            upload.Headers.Authorization = new("Bearer", Token);
            using var response = await packyard.Http.SendAsync(upload);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        await packyard.WaitForAsync("the upload made version 2, published and served",
            r => r.LatestVersion("grace") == 2 && (long?)r.Status("Distribution", "grace")?["servedVersion"] == 2 && r.IsReady("Distribution", "grace"));
        var before = await ServedAsync(packyard);
        Assert.Equal(["PULP_MANIFEST", "a.txt", "b.txt", "notes/uploaded.txt"], before.Keys);
        Assert.Equal([0L, 1L, 2L], await StandaloneWorkspace.VersionsAsync(database, "grace"));

        File.Delete(workspace.PathOf("grace.yaml"));

        await packyard.WaitUntilAsync("the Distribution stops serving", async () =>
            (await packyard.Http.GetAsync("files/grace/PULP_MANIFEST")).StatusCode == HttpStatusCode.NotFound, TimeSpan.FromSeconds(15));
        await packyard.WaitForAsync("the resources are gone", r => r.Find("Repository", "grace") is null);
        const string DeletedEvent = @"Repository default/grace Deleted: versions up to 2 kept until (\S+Z) \(--deletion-grace 24h\); re-create the Repository to restore them";
        // The event is printed by the finalizer, which may finish a moment after the resource left the listing.
        await packyard.WaitUntilAsync("the Deleted event is printed", () => Task.FromResult(Regex.IsMatch(OneLine(packyard.Output), DeletedEvent)), TimeSpan.FromSeconds(10));
        var deleted = Regex.Match(OneLine(packyard.Output), DeletedEvent);
        Assert.True(deleted.Success, packyard.Output);
        Assert.True(DateTimeOffset.Parse(deleted.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(23));
        Assert.Equal([0L, 1L, 2L], await StandaloneWorkspace.VersionsAsync(database, "grace"));

        workspace.Write("grace.yaml", Manifest);

        await packyard.WaitForAsync("the re-added repository is Ready at version 2 and served again",
            r => r.IsReady("Repository", "grace") && r.LatestVersion("grace") == 2 && r.IsReady("Distribution", "grace")
                 && (long?)r.Status("Distribution", "grace")?["servedVersion"] == 2
                 && (string?)r.Status("Repository", "grace")?["lastSync"]?["result"] == "Succeeded");
        Assert.Equal(before, await ServedAsync(packyard));
        Assert.Matches(@"Repository default/grace Restored: restored versions 1.2 kept since deletion at \S+Z", OneLine(packyard.Output));
        Assert.Equal([0L, 1L, 2L], await StandaloneWorkspace.VersionsAsync(database, "grace"));

        // Only the Repository document removed: the Distribution that stays stops serving it, and serves it again once it is back.
        var documents = Regex.Split(Manifest, @"^---\s*$", RegexOptions.Multiline);
        workspace.Write("grace.yaml", string.Join("---\n", documents.Where(d => !d.Contains("kind: Repository", StringComparison.Ordinal))));
        await packyard.WaitUntilAsync("the Distribution stops serving the deleted Repository", async () =>
            (await packyard.Http.GetAsync("files/grace/a.txt")).StatusCode == HttpStatusCode.NotFound, TimeSpan.FromSeconds(15));
        await packyard.WaitForAsync("the Distribution is no longer Ready (its Repository is gone)",
            r => r.Find("Repository", "grace") is null && (string?)r.Condition("Distribution", "grace", "Ready")?["status"] == "False");

        workspace.Write("grace.yaml", Manifest);

        await packyard.WaitForAsync("the Repository is back and the Distribution serves version 2 again",
            r => r.IsReady("Repository", "grace") && r.LatestVersion("grace") == 2 && r.IsReady("Distribution", "grace")
                 && (long?)r.Status("Distribution", "grace")?["servedVersion"] == 2);
        await packyard.WaitUntilAsync("a.txt is served again", async () =>
            (await packyard.Http.GetAsync("files/grace/a.txt")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15));
        Assert.Equal(before, await ServedAsync(packyard));
        Assert.Equal(2, Regex.Matches(OneLine(packyard.Output), "Repository default/grace Restored: restored versions 1.2 kept since deletion at").Count);
        Assert.Equal([0L, 1L, 2L], await StandaloneWorkspace.VersionsAsync(database, "grace"));
    }

    [Theory]
    [InlineData("run", "-1h", "--deletion-grace: must not be negative")]
    [InlineData("run", "a day", "--deletion-grace: invalid duration \"a day\"")]
    [InlineData("operator", "-5m", "--deletion-grace: must not be negative")]
    [InlineData("operator", "24", "--deletion-grace: invalid duration \"24\": missing unit")]
    public async Task A_negative_or_unreadable_deletion_grace_is_refused_at_start(string command, string value, string error)
    {
        using var workspace = new StandaloneWorkspace();
        string[] arguments = command == "run"
            ? ["run", "--manifests", workspace.Manifests, $"--deletion-grace={value}"]
            : ["operator", $"--deletion-grace={value}"];

        var (exitCode, output) = await PackyardProcess.RunToCompletionAsync(workspace.Data, arguments);

        Assert.Equal(2, exitCode);
        Assert.Contains(error, output, StringComparison.Ordinal);
    }

    /// <summary>The console output with the line wrapping of its events undone.</summary>
    private static string OneLine(string output) => Regex.Replace(output, @"\s+", " ");

    /// <summary>The distribution's PULP_MANIFEST and every file it lists: path → bytes as served.</summary>
    private static async Task<SortedDictionary<string, string>> ServedAsync(PackyardProcess packyard)
    {
        var served = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var manifest = await packyard.Http.GetStringAsync("files/grace/PULP_MANIFEST");
        served["PULP_MANIFEST"] = manifest;
        foreach (var line in manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = line.Split(',')[0];
            served[path] = Convert.ToBase64String(await packyard.Http.GetByteArrayAsync($"files/grace/{path}"));
        }

        return served;
    }
}
