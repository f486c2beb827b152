using System.Net;
using Npgsql;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes;

namespace Packyard.Tests.Standalone;

/// <summary>
/// Orphan cleanup in <c>packyard run</c>: a reclaim task at <c>--orphan-cleanup-interval</c>, run by the in-process worker like
/// every other task, which deletes what nothing references and never runs while a sync holds content; the flag is checked at start.
/// </summary>
public sealed class OrphanCleanupTaskTests
{
    private const string Token = "reclaim-upload-token";

    [Fact]
    public async Task Orphan_cleanup_runs_at_the_configured_interval_deletes_a_deleted_repositorys_artifacts_and_waits_for_a_running_sync()
    {
        await using var slow = await SlowUpstream.StartAsync(files: 10, TimeSpan.FromMilliseconds(400));
        using var workspace = new StandaloneWorkspace();
        workspace.Write("scratch.yaml", """
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: scratch, namespace: default}
            spec: {type: file, uploads: {enabled: true}}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(OrphanCleanupTaskTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database,
            "--upload-token", Token, "--orphan-cleanup-interval", "1s", "--deletion-grace", "0s");
        await packyard.WaitForAsync("scratch is Ready", r => r.IsReady("Repository", "scratch"));
        var own = "only scratch references this\n"u8.ToArray();
        using (var upload = new HttpRequestMessage(HttpMethod.Post, "api/v1/namespaces/default/repositories/scratch/content")
        {
            Content = new MultipartFormDataContent { { new StringContent("own.txt"), "relativePath" }, { new ByteArrayContent(own), "file", "own.txt" } },
        })
        {
            upload.Headers.Authorization = new("Bearer", Token);
            using var response = await packyard.Http.SendAsync(upload);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var storage = Path.Combine(workspace.Data, "artifacts");
        Assert.True(File.Exists(OperatorModeTaskKindsTests.ObjectPath(storage, own)));

        // A slow sync starts, and the scratch repository is deleted while it runs.
        workspace.Write("slow.yaml", $$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: slow, namespace: default}
            spec: {type: file, url: "{{{slow.UrlOf("slow")}}}", downloadConcurrency: 1}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: slow, namespace: default}
            spec: {type: file, remoteRef: {name: slow}}
            """);
        await packyard.WaitUntilAsync("the slow sync is downloading", () => Task.FromResult(slow.Downloads("slow") >= 1), TimeSpan.FromSeconds(30));
        File.Delete(workspace.PathOf("scratch.yaml"));

        await packyard.WaitUntilAsync("a reclaim deletes scratch's artifact", () =>
            Task.FromResult(!File.Exists(OperatorModeTaskKindsTests.ObjectPath(storage, own))), TimeSpan.FromSeconds(60));
        await packyard.WaitForAsync("the slow repository is synced and published, its artifacts kept",
            r => r.IsReady("Repository", "slow") && r.LatestVersion("slow") == 1);
        foreach (var name in slow.FileNames)
        {
            Assert.True(File.Exists(OperatorModeTaskKindsTests.ObjectPath(storage, System.Text.Encoding.UTF8.GetBytes(SlowUpstream.Content("slow", name)))), name);
        }

        // No reclaim ran while a repository task ran; one queued during the slow sync started only after it ended.
        Assert.Equal(0L, await ScalarAsync(database, """
            select count(*) from tasks r join tasks t on t.kind <> 'reclaim' and t.started is not null
            where r.kind = 'reclaim' and r.started is not null
              and tstzrange(r.started, coalesce(r.finished, now())) && tstzrange(t.started, coalesce(t.finished, now()))
            """));
        Assert.True(await ScalarAsync(database, """
            select count(*) from tasks r join tasks s on s.kind = 'sync' and s.state = 'succeeded'
            where r.kind = 'reclaim' and r.created > s.started and r.created < s.finished and r.started >= s.finished
            """) >= 1, "a reclaim queued while the sync ran waited for it");
        Assert.True(await ScalarAsync(database, "select count(*) from tasks where kind = 'reclaim' and state = 'succeeded'") >= 2);
    }

    [Theory]
    [InlineData("run", "banana", "--orphan-cleanup-interval: invalid duration \"banana\"")]
    [InlineData("run", "0s", "--orphan-cleanup-interval: must be positive")]
    [InlineData("operator", "-1h", "--orphan-cleanup-interval: must be positive")]
    [InlineData("operator", "60", "--orphan-cleanup-interval: invalid duration \"60\": missing unit")]
    public async Task A_zero_negative_or_unreadable_orphan_cleanup_interval_is_refused_at_start(string command, string value, string error)
    {
        using var workspace = new StandaloneWorkspace();
        string[] arguments = command == "run"
            ? ["run", "--manifests", workspace.Manifests, $"--orphan-cleanup-interval={value}"]
            : ["operator", $"--orphan-cleanup-interval={value}"];

        var (exitCode, output) = await PackyardProcess.RunToCompletionAsync(workspace.Data, arguments);

        Assert.Equal(2, exitCode);
        Assert.Contains(error, output, StringComparison.Ordinal);
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
