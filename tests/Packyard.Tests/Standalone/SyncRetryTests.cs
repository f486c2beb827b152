using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// Failed syncs in <c>packyard run</c>: retried with exponential backoff per Repository (not in a loop), Ready=False with the
/// cause until a sync succeeds, retried by themselves once the upstream is back; a Repository removed mid-sync stops its sync.
/// </summary>
public sealed class SyncRetryTests
{
    [Fact]
    public async Task A_Remote_at_a_closed_port_is_retried_with_growing_intervals_stays_SyncFailed_and_recovers_by_itself_when_the_upstream_comes_up()
    {
        var port = HttpUpstream.FreePort(); // nothing listens there yet
        using var upstream = new FileUpstream().Put("one.txt", "one\n").WriteManifest();
        using var workspace = new StandaloneWorkspace();
        workspace.Write("retry.yaml", $$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: later, namespace: default}
            spec: {type: file, url: "http://127.0.0.1:{{{port.ToString(CultureInfo.InvariantCulture)}}}/"}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: later, namespace: default}
            spec: {type: file, remoteRef: {name: later}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: later, namespace: default}
            spec: {basePath: files/later, repositoryRef: {name: later}}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(SyncRetryTests) + "closed");
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database, "--sync-retry-initial", "2s");

        await packyard.WaitForAsync("the first sync failed", r => r.Condition("Repository", "later", "Ready") is { } ready
            && (string?)ready["status"] == "False" && ((string?)ready["reason"])?.StartsWith("SyncFailed", StringComparison.Ordinal) == true);

        // Watch 16 s: Ready never turns True, and the attempts come further and further apart (2 s, 4 s, 8 s plus each attempt's own retries).
        var clock = Stopwatch.StartNew();
        var readyTrue = false;
        string? reason = null, message = null, nextRetry = null;
        var withoutSyncFailed = new List<string>();
        string? syncFailedMessage = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(16))
        {
            if (await packyard.TryGetResourcesAsync() is { } items && new ResourceSnapshot(items) is var snapshot
                && snapshot.Condition("Repository", "later", "Ready") is { } ready)
            {
                readyTrue |= (string?)ready["status"] == "True";
                (reason, message) = ((string?)ready["reason"], (string?)ready["message"]);
                nextRetry = (string?)snapshot.Status("Repository", "later")?["nextRetryTime"] ?? nextRetry;
                if (snapshot.Condition("Repository", "later", "SyncFailed") is { } failed && (string?)failed["status"] == "True"
                    && ((string?)failed["reason"])?.StartsWith("SyncFailed", StringComparison.Ordinal) == true)
                {
                    syncFailedMessage = (string?)failed["message"];
                }
                else
                {
                    withoutSyncFailed.Add($"{reason}: {message}");
                }
            }

            await Task.Delay(250);
        }

        var attempts = await SyncStartsAsync(database, "later");
        Assert.False(readyTrue, $"Ready turned True after a failed sync\n{packyard.Output}");
        Assert.True(reason?.StartsWith("SyncFailed", StringComparison.Ordinal) == true, $"Ready: {reason}: {message}\n{packyard.Output}");
        Assert.Contains($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", message, StringComparison.Ordinal);
        Assert.NotNull(nextRetry);
        Assert.True(withoutSyncFailed.Count == 0, $"SyncFailed was not True while the syncs kept failing: {string.Join("; ", withoutSyncFailed)}");
        Assert.Contains($"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", syncFailedMessage, StringComparison.Ordinal);
        Assert.InRange(attempts.Count, 2, 4);
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        // Each gap is the backoff (2 s, 4 s, 8 s, ± 20 %) plus the failed attempt's own duration, which a loaded machine stretches
        // by a second or two: compare the last gap with the first, whose backoffs differ by 2 s or more.
        Assert.True(gaps.Count < 2 || gaps[^1] > gaps[0], $"intervals between attempts grow: {string.Join(", ", gaps)}");
        Assert.True(gaps[0] >= 1.6, $"the first retry waits the initial backoff (2 s ± 20 %): {gaps[0]} s");

        // The upstream comes up where the Remote points: the backoff retries by itself, with no change to the manifests.
        await using var http = await HttpUpstream.StartAsync(upstream.Path, port: port);
        await packyard.WaitForAsync("the Repository recovers by itself", r => r.IsReady("Repository", "later") && r.LatestVersion("later") == 1,
            TimeSpan.FromSeconds(40));
        Assert.Equal("one\n", await packyard.Http.GetStringAsync("files/later/one.txt"));
        await packyard.WaitUntilAsync("a Normal Succeeded event reports the recovery",
            () => Task.FromResult(packyard.Output.Contains("Normal Repository default/later Succeeded", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));
        var after = new ResourceSnapshot((await packyard.TryGetResourcesAsync())!);
        Assert.Null(after.Status("Repository", "later")?["nextRetryTime"]);
        Assert.Null(after.Condition("Repository", "later", "SyncFailed"));
    }

    [Fact]
    public async Task Removing_a_Repository_mid_sync_stops_its_downloads_at_once()
    {
        await using var slow = await SlowUpstream.StartAsync(files: 40, TimeSpan.FromMilliseconds(400));
        using var workspace = new StandaloneWorkspace();
        var remote = $$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: slow, namespace: default}
            spec: {type: file, url: "{{{slow.UrlOf("slow")}}}", downloadConcurrency: 1}

            """;
        workspace.Write("slow.yaml", remote + """
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: slow, namespace: default}
            spec: {type: file, remoteRef: {name: slow}}
            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(SyncRetryTests) + "removed");
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);
        int Downloads() => slow.Downloads("slow");
        await packyard.WaitUntilAsync("the sync is downloading", () => Task.FromResult(Downloads() >= 3), TimeSpan.FromSeconds(40));

        workspace.Write("slow.yaml", remote);
        var clock = Stopwatch.StartNew();
        await packyard.WaitForAsync("the Repository is gone", r => r.Find("Repository", "slow") is null, TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var settled = Downloads();
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(settled, Downloads());
        Assert.True(settled < 20, $"{settled} of 40 files were downloaded: the sync went on after the Repository was removed");
        Assert.Equal(0L, await ScalarAsync(database, "select count(*) from repository_versions v join repositories r on r.id = v.repository_id where r.name = 'slow' and v.number > 0"));
        Assert.False(packyard.HasExited);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    /// <summary>When each sync of the repository started, in order.</summary>
    private static async Task<List<DateTime>> SyncStartsAsync(string database, string repository)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("""
            select t.started from tasks t join repositories r on r.id = t.repository_id
            where t.kind = 'sync' and r.name = $1 and t.started is not null order by t.id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repository });
        await using var reader = await command.ExecuteReaderAsync();
        var starts = new List<DateTime>();
        while (await reader.ReadAsync())
        {
            starts.Add(reader.GetDateTime(0));
        }

        return starts;
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
