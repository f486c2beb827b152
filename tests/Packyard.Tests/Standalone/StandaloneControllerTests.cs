using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// The standalone controller behind `packyard run`, driven as a user drives it: by editing the manifests folder
/// while the process runs (the real process, a database of its own per test).
/// </summary>
public sealed class StandaloneControllerTests
{
    private const string RequestedAt = "packyard.io/requested-at";

    /// <summary>Invalid documents, one per kind of mistake; each resource's offending line is marked with its name.</summary>
    private const string Broken = """
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata:
          name: typo-remote
          namespace: default
        spec:
          type: file
          urll: https://example.com/files/
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata:
          name: bad-mode
          namespace: default
        spec:
          type: file
          sync:
            mode: Sometimes
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata:
          name: dangling
          namespace: default
        spec:
          basePath: files/dangling
          repositoryRef:
            name: does-not-exist
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata:
          name: bad-cron
          namespace: default
        spec:
          type: file
          sync:
            schedule: "every tuesday"
        """;

    /// <summary>The invalid resources of <see cref="Broken"/>, with a text on the line their error must point at.</summary>
    private static readonly (string Kind, string Name, string Marker)[] Invalid =
    [
        ("Remote", "typo-remote", "urll:"),
        ("Repository", "bad-mode", "mode: Sometimes"),
        ("Distribution", "dangling", "name: does-not-exist"),
        ("Repository", "bad-cron", "schedule: \"every tuesday\""),
    ];

    [Fact]
    public async Task Manifest_changes_are_picked_up_new_upstream_content_on_request_and_a_moved_base_path()
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(StandaloneControllerTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        await packyard.WaitForAsync("the quickstart is served at version 1",
            r => r.IsReady("Distribution", "quickstart") && r.LatestVersion("quickstart") == 1);

        workspace.Write("upstream/news.txt", "fresh news\n");
        workspace.WriteUpstreamManifest();
        var request = DateTimeOffset.UtcNow.ToString("O");
        workspace.Write("quickstart.yaml", workspace.Read("quickstart.yaml").Replace(
            "kind: Repository\nmetadata:\n", $"kind: Repository\nmetadata:\n  annotations:\n    {RequestedAt}: \"{request}\"\n", StringComparison.Ordinal));

        var resources = new ResourceSnapshot(await packyard.WaitForAsync("Repository quickstart handled the request and made version 2",
            r => r.LatestVersion("quickstart") == 2 && (string?)r.Status("Repository", "quickstart")?["lastHandledRequest"] == request
                 && r.IsReady("Repository", "quickstart")));
        Assert.Equal(1, (long?)resources.Status("Repository", "quickstart")!["lastSync"]!["added"]);
        await packyard.WaitUntilAsync("news.txt is served", async () =>
            (await packyard.Http.GetAsync("files/quickstart/news.txt")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        Assert.Equal("fresh news\n", await packyard.Http.GetStringAsync("files/quickstart/news.txt"));

        workspace.Write("quickstart.yaml", workspace.Read("quickstart.yaml").Replace("basePath: files/quickstart", "basePath: files/moved", StringComparison.Ordinal));

        resources = new ResourceSnapshot(await packyard.WaitForAsync("Distribution quickstart is Ready at files/moved",
            r => r.IsReady("Distribution", "quickstart") && ((string?)r.Status("Distribution", "quickstart")?["url"])?.EndsWith("/files/moved/", StringComparison.Ordinal) == true));
        Assert.Equal(2, (long?)resources.Find("Distribution", "quickstart")!["generation"]);
        await packyard.WaitUntilAsync("the old base path 404s", async () =>
            (await packyard.Http.GetAsync("files/quickstart/PULP_MANIFEST")).StatusCode == HttpStatusCode.NotFound, TimeSpan.FromSeconds(5));
        Assert.Equal("fresh news\n", await packyard.Http.GetStringAsync("files/moved/news.txt"));
        Assert.Contains("news.txt,", await packyard.Http.GetStringAsync("files/moved/PULP_MANIFEST"));
    }

    [Fact]
    public async Task Invalid_manifests_stall_with_file_and_line_while_the_valid_ones_are_served()
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        workspace.Write("broken.yaml", Broken);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(StandaloneControllerTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        string[] invalid = [.. Invalid.Select(i => i.Name)];

        var resources = new ResourceSnapshot(await packyard.WaitForAsync("the quickstart is Ready and every invalid resource is Stalled",
            r => r.IsReady("Distribution", "quickstart") && r.IsReady("Repository", "quickstart")
                 && invalid.All(name => Invalid.Any(i => i.Name == name && (string?)r.Condition(i.Kind, name, "Stalled")?["status"] == "True"))));

        Assert.Equal(HttpStatusCode.OK, (await packyard.Http.GetAsync("files/quickstart/hello.txt")).StatusCode);
        foreach (var (kind, name, marker) in Invalid)
        {
            var conditions = ((JsonArray)resources.Status(kind, name)!["conditions"]!)
                .Select(c => ((string?)c!["type"], (string?)c["status"], (string?)c["reason"])).Order().ToList();
            Assert.Equal([("Ready", "False", "InvalidSpec"), ("Stalled", "True", "InvalidSpec")], conditions);
            var line = Array.FindIndex(Broken.Split('\n'), l => l.Contains(marker, StringComparison.Ordinal)) + 1;
            Assert.Contains($"broken.yaml:{line}:", (string?)resources.Condition(kind, name, "Ready")!["message"]);
        }

        Assert.Contains("unknown field spec.urll", (string?)resources.Condition("Remote", "typo-remote", "Ready")!["message"]);
        Assert.Contains("Sometimes", (string?)resources.Condition("Repository", "bad-mode", "Ready")!["message"]);
        Assert.Contains("does-not-exist", (string?)resources.Condition("Distribution", "dangling", "Ready")!["message"]);
        Assert.Contains("every tuesday", (string?)resources.Condition("Repository", "bad-cron", "Ready")!["message"]);
        Assert.Equal(HttpStatusCode.NotFound, (await packyard.Http.GetAsync("files/dangling/")).StatusCode);
    }

    [Fact]
    public async Task An_edit_that_breaks_a_valid_resource_stalls_it_and_keeps_serving_until_it_is_fixed()
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(StandaloneControllerTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        await packyard.WaitForAsync("the quickstart is served", r => r.IsReady("Distribution", "quickstart") && r.LatestVersion("quickstart") == 1);
        var valid = workspace.Read("quickstart.yaml");

        workspace.Write("quickstart.yaml", valid.Replace("mode: Additive", "mode: Additve", StringComparison.Ordinal));

        var resources = new ResourceSnapshot(await packyard.WaitForAsync("Repository quickstart is Stalled",
            r => (string?)r.Condition("Repository", "quickstart", "Stalled")?["status"] == "True"));
        Assert.Equal("InvalidSpec", (string?)resources.Condition("Repository", "quickstart", "Ready")!["reason"]);
        Assert.Contains("Additve", (string?)resources.Condition("Repository", "quickstart", "Ready")!["message"]);
        Assert.Equal(1, resources.LatestVersion("quickstart"));
        await Task.Delay(TimeSpan.FromSeconds(1)); // let dependents reconcile against the broken Repository
        Assert.Equal(HttpStatusCode.OK, (await packyard.Http.GetAsync("files/quickstart/hello.txt")).StatusCode);
        Assert.Equal([0L, 1L], await StandaloneWorkspace.VersionsAsync(database, "quickstart"));

        workspace.Write("quickstart.yaml", valid);

        await packyard.WaitForAsync("Repository quickstart is Ready again",
            r => r.IsReady("Repository", "quickstart") && r.Condition("Repository", "quickstart", "Stalled") is null && r.IsReady("Distribution", "quickstart"));
        Assert.Equal(HttpStatusCode.OK, (await packyard.Http.GetAsync("files/quickstart/hello.txt")).StatusCode);
    }

    [Fact]
    public async Task Validate_on_a_folder_with_invalid_manifests_exits_1_with_path_line_column_errors()
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        workspace.Write("broken.yaml", Broken);

        var (exitCode, output) = await PackyardProcess.RunToCompletionAsync(Path.GetDirectoryName(workspace.Manifests)!, "validate", "manifests");

        Assert.Equal(1, exitCode);
        var errors = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("manifests/", StringComparison.Ordinal)).ToList();
        Assert.All(errors, e => Assert.Matches(@"^manifests/broken\.yaml:\d+:\d+: ", e));
        foreach (var (_, _, marker) in Invalid)
        {
            var line = Array.FindIndex(Broken.Split('\n'), l => l.Contains(marker, StringComparison.Ordinal)) + 1;
            Assert.Contains(errors, e => e.StartsWith($"manifests/broken.yaml:{line}:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Deleting_the_distribution_document_stops_serving_it_and_the_repository_keeps_its_data()
    {
        using var workspace = new StandaloneWorkspace().CopyExample("files-quickstart");
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(StandaloneControllerTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        await packyard.WaitForAsync("the quickstart is served", r => r.IsReady("Distribution", "quickstart"));
        Assert.Equal(HttpStatusCode.OK, (await packyard.Http.GetAsync("files/quickstart/PULP_MANIFEST")).StatusCode);

        var documents = Regex.Split(workspace.Read("quickstart.yaml"), @"^---\s*$", RegexOptions.Multiline);
        workspace.Write("quickstart.yaml", string.Join("---\n", documents.Where(d => !d.Contains("kind: Distribution", StringComparison.Ordinal))));
        var clock = Stopwatch.StartNew();

        await packyard.WaitUntilAsync("the base path 404s", async () =>
            (await packyard.Http.GetAsync("files/quickstart/PULP_MANIFEST")).StatusCode == HttpStatusCode.NotFound, TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed} to stop serving");
        Assert.Equal(HttpStatusCode.NotFound, (await packyard.Http.GetAsync("files/quickstart/hello.txt")).StatusCode);
        var resources = new ResourceSnapshot(await packyard.WaitForAsync("the Distribution is gone from the resources",
            r => r.Find("Distribution", "quickstart") is null));
        Assert.True(resources.IsReady("Repository", "quickstart"));
        Assert.Equal(1, resources.LatestVersion("quickstart"));
        Assert.Equal([0L, 1L], await StandaloneWorkspace.VersionsAsync(database, "quickstart"));
        Assert.Equal(3, await StandaloneWorkspace.CurrentContentCountAsync(database, "quickstart"));
    }
}
