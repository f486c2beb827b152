using Xunit.Abstractions;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Operator;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Verbs;

/// <summary>
/// status.progress while a sync runs: a slow upstream on 127.0.0.1 (one download at a time) shows Downloading with done &lt; total
/// mid-way, in standalone's /api/v1/resources and on the Repository in the cluster (worker and controller in separate
/// processes), in kubectl's Progress column; it is gone when the sync ends, and status is written a bounded number of times.
/// </summary>
public sealed class RepositoryProgressTests(ITestOutputHelper output)
{
    private const int Files = 40;
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task Standalone_shows_a_long_syncs_progress_mid_way_and_clears_it_when_the_sync_ends()
    {
        await using var slow = await SlowUpstream.StartAsync(Files, Delay);
        using var directory = new TemporaryDirectory();
        directory.Write("manifests/slow.yaml", $$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: slow}
            spec: {type: file, url: "{{{slow.UrlOf("slow1")}}}", policy: Immediate, downloadConcurrency: 1}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: slow}
            spec: {type: file, remoteRef: {name: slow}}
            """);
        Directory.CreateDirectory(Path.Combine(directory.Path, "data"));
        await using var packyard = PackyardProcess.Start(Path.Combine(directory.Path, "manifests"), Path.Combine(directory.Path, "data"),
            await PostgresCluster.CreateDatabaseAsync("progress-standalone"), "--progress-interval", "1s");

        var seen = await packyard.WaitForAsync("slow shows Downloading with done < total",
            r => r.Status("Repository", "slow")?["progress"] is { } p && (string?)p["phase"] == "Downloading" && (long?)p["done"] < (long?)p["total"]);
        var progress = new ResourceSnapshot(seen).Status("Repository", "slow")!["progress"]!;
        Assert.Equal("sync", (string?)progress["kind"]);
        Assert.Equal(Files, (long?)progress["total"]);
        Assert.True((long?)progress["task"] > 0);
        Assert.Matches(@"^Downloading \d+/40", (string?)progress["summary"]);

        await packyard.WaitForAsync("slow is Ready at version 1 without progress",
            r => r.IsReady("Repository", "slow") && r.LatestVersion("slow") == 1 && r.Status("Repository", "slow")?["progress"] is null);
    }

    [Fact]
    public async Task A_worker_in_another_process_puts_progress_on_the_Repository_in_a_bounded_number_of_status_writes()
    {
        await using var slow = await SlowUpstream.StartAsync(Files, Delay);
        await using var cluster = await OperatorCluster.StartAsync("progress-operator");
        await slow.ApplyAsync(cluster.Kubectl, "slow1");
        cluster.StartControllerWithoutStore("controller");
        cluster.StartWorker("worker", "--progress-interval", "1s");

        var clock = Stopwatch.StartNew();
        JsonNode? midway = null;
        string? column = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && (midway is null || column is null))
        {
            var status = JsonNode.Parse(await cluster.Kubectl.SucceedAsync("get", "repository", "slow1", "-o", "json"))!["status"];
            if (status?["progress"] is { } p && (string?)p["phase"] == "Downloading" && (long?)p["done"] < (long?)p["total"])
            {
                midway ??= p.DeepClone();
                var table = await cluster.Kubectl.SucceedAsync("get", "repositories");
                column ??= table.Split('\n').FirstOrDefault(l => l.StartsWith("slow1", StringComparison.Ordinal) && l.Contains("Downloading", StringComparison.Ordinal)) is { } row
                    ? table.Split('\n')[0] + "\n" + row
                    : null;
            }

            await Task.Delay(200);
        }

        Assert.True(midway is not null, "no progress with done < total seen on the Repository");
        Assert.Equal(Files, (long?)midway!["total"]);
        Assert.True(column is not null, "kubectl get repositories never showed Downloading");
        Assert.Contains("PROGRESS", column, StringComparison.Ordinal);

        var done = await WaitReadyAsync(cluster, "slow1");
        Assert.Null(done["progress"]);
        Assert.Equal(1, (long?)done["latestVersion"]);

        // Status of slow1 was written a few times per second of syncing at most, not once per file.
        var writes = cluster.Writes().Count(w => w.Resource == "repositories" && w.Subresource == "status" && w.Name == "slow1");
        output.WriteLine($"sync of {Files} files: Ready {clock.Elapsed.TotalSeconds:0.0} s after the workers started; {writes} status writes of slow1 in all; mid-way progress: {midway.ToJsonString()}");
        Assert.True(writes <= Files / 2, $"{writes} status writes for a sync of {Files} files");
        Assert.True(writes >= 3, $"{writes} status writes: progress was not written mid-way");
    }

    private static async Task<JsonNode> WaitReadyAsync(OperatorCluster cluster, string name)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = JsonNode.Parse(await cluster.Kubectl.SucceedAsync("get", "repository", name, "-o", "json"))!["status"];
            if (status?["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true)
            {
                return status!;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"{name} not Ready: {status?.ToJsonString()}");
            await Task.Delay(250);
        }
    }
}
