using System.Text.Json.Nodes;

namespace Packyard.Tests.Verbs;

/// <summary>
/// The verbs through the real binary, one story told against a standalone Packyard and against the real API server with a real
/// operator: get, sync (a changed upstream becomes version 2), versions, diff (exactly the files added and removed upstream),
/// promote (pin written into the manifest file, or patched), events and logs; unknown names, versions and servers fail clearly.
/// </summary>
public sealed class VerbsTests
{
    [Theory]
    [InlineData("standalone")]
    [InlineData("cluster")]
    public async Task Every_verb_inspects_and_acts_on_the_same_resources_and_a_diff_lists_exactly_what_changed_upstream(string kind)
    {
        await using var source = await VerbSource.StartAsync(kind, $"verbs-{kind}", "a.txt", "b.txt", "c.txt");
        await source.WaitForStatusAsync("mirror is Ready at version 1", "Repository", "mirror", s => VerbSource.IsReady(s) && (long?)s["latestVersion"] == 1);
        await source.WaitForStatusAsync("release promoted version 1", "Promotion", "release", s => VerbSource.IsReady(s) && (long?)s["sourceVersion"] == 1);

        // get: every resource with Ready and its key figures, in 80 columns; -o json parses.
        var get = await source.RunAsync("get");
        Assert.True(get.ExitCode == 0, get.ToString());
        var lines = get.Output.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"wider than 80 columns: '{l}'"));
        Assert.StartsWith("KIND", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("Repository", StringComparison.Ordinal) && l.Contains(" mirror ", StringComparison.Ordinal)
            && l.Contains("True", StringComparison.Ordinal) && l.Contains("v1 3 units", StringComparison.Ordinal));
        var rows = JsonNode.Parse((await source.RunAsync("get", "-o", "json")).Output)!.AsArray();
        Assert.Equal(["Distribution/mirror", "Promotion/release", "Remote/up", "Repository/mirror", "Repository/target"],
            rows.Select(r => $"{r!["kind"]}/{r["name"]}").Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal("True", (string?)r!["ready"]));
        var yaml = await source.RunAsync("get", "repositories", "-o", "yaml");
        Assert.Contains("- kind: Repository\n  namespace: ", yaml.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Remote", yaml.Output, StringComparison.Ordinal);

        // sync: upstream dropped b.txt and gained d.txt; asking for a sync makes version 2.
        source.Files.Remove("b.txt").Put("d.txt", "content of d.txt\n").WriteManifest();
        var sync = await source.RunAsync("sync", "mirror");
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Contains("sync requested", sync.Output, StringComparison.Ordinal);
        await source.WaitForStatusAsync("mirror is Ready at version 2", "Repository", "mirror", s => VerbSource.IsReady(s) && (long?)s["latestVersion"] == 2);
        await source.WaitForStatusAsync("release (unpinned) promoted version 2", "Promotion", "release", s => VerbSource.IsReady(s) && (long?)s["sourceVersion"] == 2);

        // versions: every version, newest first, with counts.
        var versions = JsonNode.Parse((await source.RunAsync("versions", "mirror", "-o", "json")).Output)!.AsArray();
        Assert.Equal([2L, 1L, 0L], versions.Select(v => (long)v!["number"]!));
        Assert.Equal((1L, 1L, 3L), ((long)versions[0]!["added"]!, (long)versions[0]!["removed"]!, (long)versions[0]!["contentCount"]!));
        var table = await source.RunAsync("versions", "mirror");
        Assert.Matches(@"(?m)^VERSION\s+CREATED\s+ADDED\s+REMOVED\s+CONTENT", table.Output);
        Assert.Matches(@"(?m)^2\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+1\s+1\s+3\s+sync", table.Output);

        // diff: exactly the files added and removed upstream.
        var diff = JsonNode.Parse((await source.RunAsync("diff", "mirror", "1", "2", "-o", "json")).Output)!;
        Assert.Equal(["d.txt"], diff["added"]!.AsArray().Select(u => (string)u!["name"]!));
        Assert.Equal(["b.txt"], diff["removed"]!.AsArray().Select(u => (string)u!["name"]!));
        var diffTable = await source.RunAsync("diff", "mirror", "1", "2");
        Assert.Matches(@"(?m)^\+\s+d\.txt$", diffTable.Output);
        Assert.Matches(@"(?m)^-\s+b\.txt$", diffTable.Output);
        Assert.Contains("1 added, 1 removed from version 1 to 2", diffTable.Output, StringComparison.Ordinal);

        // promote: pin the Promotion to version 1 (the file in standalone, the object in a cluster); target follows.
        var promote = await source.RunAsync("promote", "release", "--version", "1");
        Assert.True(promote.ExitCode == 0, promote.ToString());
        if (kind == "standalone")
        {
            var manifest = await File.ReadAllTextAsync(source.ManifestFile);
            Assert.Contains("spec:\n  sourceVersion: 1\n  sourceRef: {name: mirror}   # what was tested\n", manifest, StringComparison.Ordinal);
            Assert.Contains("# The release train: bump sourceVersion to move it.", manifest, StringComparison.Ordinal);
        }

        // The pin brings the target back to version 1's content (a new target version).
        await source.WaitForStatusAsync("release is pinned to version 1", "Promotion", "release", s => VerbSource.IsReady(s) && (long?)s["sourceVersion"] == 1
            && (long?)s["targetVersion"] == 3);

        // events: the sync's and the promotion's transitions.
        var events = await source.RunAsync("events");
        Assert.True(events.ExitCode == 0, events.ToString());
        Assert.Matches(@"(?m)^\S+\s+Normal\s+SyncSucceeded\s+Repository/mirror\s+version 2", events.Output);
        Assert.Contains("Promoted", events.Output, StringComparison.Ordinal);
        var mirrorEvents = JsonNode.Parse((await source.RunAsync("events", "mirror", "-o", "json")).Output)!.AsArray();
        Assert.NotEmpty(mirrorEvents);
        Assert.All(mirrorEvents, e => Assert.Equal("mirror", (string?)e!["name"]));

        // logs: the repository's newest task, and a task by number.
        var logs = await source.RunAsync("logs", "mirror");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Matches(@"(?m)^Task:\s+\d+ \((sync|publish)\)$", logs.Output);
        Assert.Contains("State:     succeeded", logs.Output, StringComparison.Ordinal);
        var id = System.Text.RegularExpressions.Regex.Match(logs.Output, @"Task:\s+(\d+)").Groups[1].Value;
        var task = JsonNode.Parse((await source.RunAsync("logs", id, "-o", "json")).Output)!;
        Assert.Equal($"Repository/{(kind == "standalone" ? "default" : source.Cluster!.Namespace)}/mirror", (string?)task["resource"]);
        Assert.Null(task["args"]);

        // Clear errors, non-zero exit codes.
        var typo = await source.RunAsync("versions", "mirorr");
        Assert.Equal(4, typo.ExitCode);
        Assert.Contains("repository", typo.Error, StringComparison.Ordinal);
        Assert.Contains("did you mean mirror?", typo.Error, StringComparison.Ordinal);
        var missing = await source.RunAsync("diff", "mirror", "1", "9");
        Assert.Equal(4, missing.ExitCode);
        Assert.Contains("has no version 9", missing.Error, StringComparison.Ordinal);
        var badPin = await source.RunAsync("promote", "release", "--version", "9");
        Assert.Equal(4, badPin.ExitCode);
        Assert.Contains("has no version 9", badPin.Error, StringComparison.Ordinal);
        var promotionTypo = await source.RunAsync("promote", "relase", "--version", "1");
        Assert.Equal(4, promotionTypo.ExitCode);
        Assert.Contains("did you mean release?", promotionTypo.Error, StringComparison.Ordinal);
        var syncTypo = await source.RunAsync("sync", "mirro");
        Assert.Equal(4, syncTypo.ExitCode);
        Assert.Contains("did you mean mirror?", syncTypo.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_fails_every_verb_with_exit_code_3()
    {
        var port = Infrastructure.HttpUpstream.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var verb in new[] { new[] { "get" }, ["versions", "x"], ["diff", "x", "1", "2"], ["sync", "x"], ["promote", "x", "--version", "1"], ["events"], ["logs", "1"] })
        {
            var result = await VerbSource.RunPackyardAsync([.. verb, "--server", $"http://127.0.0.1:{port}"]);
            Assert.True(result.ExitCode == 3, $"{string.Join(' ', verb)}: {result}");
            Assert.Contains("unreachable", result.Error, StringComparison.Ordinal);
        }
    }
}
