using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Operator;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// The worker role as its own process: a controller (with the content app) queues syncs in PostgreSQL, separate
/// <c>packyard operator --role worker</c> processes (without any Kubernetes access) claim and run them. Driven with the real
/// kubectl against the real API server; the tasks table is read to check who ran what, and when.
/// </summary>
public sealed partial class OperatorModeWorkerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task A_separate_worker_process_runs_the_syncs_of_a_controller_and_content_process()
    {
        await using var cluster = await OperatorCluster.StartAsync("workerseparate");
        var controller = cluster.StartOperator("controller-a", "10s", "--role", "controller,content");
        var worker = cluster.StartWorker("worker-a");

        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await OperatorModeTests.WaitAsync(cluster, controller, "--for=condition=Ready", "remote/quickstart-upstream", "repository/quickstart", "distribution/quickstart");

        var manifest = await controller.Http.GetStringAsync("files/quickstart/PULP_MANIFEST");
        var lines = manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        foreach (var line in lines)
        {
            Assert.Equal(200, (int)(await controller.Http.GetAsync($"files/quickstart/{line.Split(',')[0]}")).StatusCode);
        }

        var task = Assert.Single(await TasksAsync(cluster.Database));
        Assert.Equal(("quickstart", "succeeded", "worker-a", 1), (task.Repository, task.State, task.Worker, task.Attempts));
        Assert.Contains("claimed task", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("claimed task", controller.Output, StringComparison.Ordinal);
        Assert.Equal("1|version 1: 3 added, 0 removed (3 downloaded)", await cluster.Kubectl.SucceedAsync("get", "repository", "quickstart", "-o",
            "jsonpath={.status.lastSync.version}|{.status.lastSync.message}"));

        // Events for what happened; the end of a queued sync is not reported as a recovery from a failure.
        var reasons = "";
        await controller.WaitUntilAsync("SyncSucceeded and Published events are recorded", async () =>
        {
            reasons = await cluster.Kubectl.SucceedAsync("get", "events", "-o", "jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name}:{.reason} {end}");
            return reasons.Contains("Repository/quickstart:SyncSucceeded ", StringComparison.Ordinal) && reasons.Contains("Repository/quickstart:Published ", StringComparison.Ordinal);
        }, Timeout);
        Assert.DoesNotContain("Repository/quickstart:Succeeded ", reasons, StringComparison.Ordinal);

        // The worker's probes and metrics answer without Kubernetes; the controller counts the finished task.
        Assert.Equal("ok\n", await worker.Http.GetStringAsync("readyz"));
        Assert.True(OperatorCluster.Metric(await worker.Http.GetStringAsync("metrics"), "packyard_tasks", "state=\"succeeded\"") >= 1);
        Assert.True(OperatorCluster.Metric(await worker.Http.GetStringAsync("metrics"), "packyard_downloaded_bytes_total") > 0);
        Assert.True(OperatorCluster.Metric(await controller.Http.GetStringAsync("metrics"), "packyard_sync_duration_seconds_count", "result=\"succeeded\"") >= 1);
    }

    [Fact]
    public async Task Without_a_worker_the_Repository_waits_Reconciling_on_one_queued_task_and_a_worker_makes_it_Ready()
    {
        await using var cluster = await OperatorCluster.StartAsync("workerqueued");
        var controller = cluster.StartOperator("controller-a", "10s", "--role", "controller,content");
        var kubectl = cluster.Kubectl;

        await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await OperatorModeTests.WaitAsync(cluster, controller, "--for=condition=Reconciling", "repository/quickstart");
        var task = Assert.Single(await TasksAsync(cluster.Database));
        Assert.Equal(("quickstart", "queued", (string?)null, 0), (task.Repository, task.State, task.Worker, task.Attempts));
        Assert.Equal($"SyncQueued|sync queued (task {task.Id}), waiting for a worker|False|SyncQueued", await kubectl.SucceedAsync("get", "repository", "quickstart", "-o",
            """jsonpath={.status.conditions[?(@.type=="Reconciling")].reason}|{.status.conditions[?(@.type=="Reconciling")].message}|{.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].reason}"""));

        // A request while the sync is queued updates the queued task instead of queueing another; it is not echoed before it is handled.
        await kubectl.SucceedAsync("annotate", "repository", "quickstart", "packyard.io/requested-at=while-queued", "--overwrite");
        await controller.WaitUntilAsync("the queued task carries the request", async () =>
            await ScalarAsync<string>(cluster.Database, "select coalesce(string_agg(args->>'requested', ','), '') from tasks") == "while-queued", Timeout);
        Assert.Equal(("queued", task.Id), (await TasksAsync(cluster.Database)) is [var only] ? (only.State, only.Id) : ("several tasks", 0L));
        Assert.Equal("", await kubectl.SucceedAsync("get", "repository", "quickstart", "-o", "jsonpath={.status.lastHandledRequest}"));

        var worker = cluster.StartWorker("worker-a");
        await OperatorModeTests.WaitAsync(cluster, controller, "--for=condition=Ready", "repository/quickstart", "distribution/quickstart");
        var handled = await kubectl.SucceedAsync("get", "repository", "quickstart", "-o",
            """jsonpath={.status.lastHandledRequest}|{.status.latestVersion}|{.status.conditions[?(@.type=="Reconciling")].status}""");
        Assert.True(handled == "while-queued|1|",
            $"{handled}\n{await kubectl.SucceedAsync("get", "repository", "quickstart", "-o", "yaml")}\n{string.Join("\n", await TasksAsync(cluster.Database))}\n{controller.Output}");
        var done = Assert.Single(await TasksAsync(cluster.Database));
        Assert.Equal((task.Id, "succeeded", "worker-a", 1), (done.Id, done.State, done.Worker, done.Attempts));
        Assert.Equal(200, (int)(await controller.Http.GetAsync("files/quickstart/PULP_MANIFEST")).StatusCode);
        Assert.False(worker.HasExited);
    }

    [Fact]
    public async Task A_worker_killed_mid_sync_has_its_task_reclaimed_by_another_and_exactly_one_version_is_created()
    {
        await using var slow = await SlowUpstream.StartAsync(files: 8, TimeSpan.FromMilliseconds(700));
        await using var cluster = await OperatorCluster.StartAsync("workerkilled");
        var (controller, first, running) = await StartSlowSyncAsync(cluster, slow);

        // Mid-sync, status names the worker and when it started (read as a client would, with kubectl get -o json).
        Assert.Matches(RunningMessage("worker-a"), running);
        await controller.WaitUntilAsync("the worker is downloading", () => Task.FromResult(slow.Downloads("slow") >= 2), Timeout);
        Assert.True(slow.Downloads("slow") < 8, "the sync ended before the worker could be killed");

        first.Kill(); // SIGKILL: no release; its connection closes and the repository's advisory lock goes with it.
        var orphaned = Assert.Single(await TasksAsync(cluster.Database));
        Assert.Equal(("running", "worker-a", 1), (orphaned.State, orphaned.Worker, orphaned.Attempts));

        slow.Upstream.Delay = TimeSpan.FromMilliseconds(50);
        var second = cluster.StartWorker("worker-b");
        await OperatorModeTests.WaitAsync(cluster, controller, "--for=condition=Ready", "repository/slow", "distribution/slow");

        var task = Assert.Single(await TasksAsync(cluster.Database));
        Assert.Equal((orphaned.Id, "succeeded", "worker-b", 2), (task.Id, task.State, task.Worker, task.Attempts));
        Assert.Contains($"reclaimed task {task.Id}", second.Output, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync<long>(cluster.Database, "select count(*) from repository_versions where number > 0"));
        Assert.Equal("1|8|Succeeded", await cluster.Kubectl.SucceedAsync("get", "repository", "slow", "-o",
            "jsonpath={.status.latestVersion}|{.status.contentCount}|{.status.lastSync.result}"));
        foreach (var name in slow.FileNames)
        {
            Assert.Equal(SlowUpstream.Content("slow", name), await controller.Http.GetStringAsync($"files/slow/{name}"));
        }
    }

    [Fact]
    public async Task SIGTERM_on_a_worker_releases_its_running_task_and_another_worker_finishes_it()
    {
        await using var slow = await SlowUpstream.StartAsync(files: 8, TimeSpan.FromMilliseconds(700));
        await using var cluster = await OperatorCluster.StartAsync("workersigterm");
        var (controller, first, _) = await StartSlowSyncAsync(cluster, slow);

        using (var term = Process.Start("kill", ["-TERM", first.ProcessId.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        var clock = Stopwatch.StartNew();
        while (!first.HasExited && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        Assert.True(first.HasExited, $"worker-a still runs 30 s after SIGTERM:\n{first.Output}");
        var released = Assert.Single(await TasksAsync(cluster.Database));
        Assert.True(("queued", (string?)null, 1) == (released.State, released.Worker, released.Attempts),
            $"after SIGTERM the task is {released}; worker-a printed:\n{first.Output}");
        await EventuallyAsync(() => first.Output.Contains("released for another worker", StringComparison.Ordinal), $"worker-a's log says it released the task:\n{first.Output}");
        Assert.Equal(0L, await ScalarAsync<long>(cluster.Database, "select count(*) from repository_versions where number > 0"));

        slow.Upstream.Delay = TimeSpan.FromMilliseconds(50);
        cluster.StartWorker("worker-b");
        await OperatorModeTests.WaitAsync(cluster, controller, "--for=condition=Ready", "repository/slow");
        var task = Assert.Single(await TasksAsync(cluster.Database));
        Assert.Equal((released.Id, "succeeded", "worker-b", 2), (task.Id, task.State, task.Worker, task.Attempts));
        Assert.Equal(1L, await ScalarAsync<long>(cluster.Database, "select count(*) from repository_versions where number > 0"));
    }

    [Fact]
    public async Task Two_workers_run_every_task_once_and_never_two_at_once_for_one_repository()
    {
        const int repositories = 5;
        await using var slow = await SlowUpstream.StartAsync(files: 3, TimeSpan.FromMilliseconds(250), repositories);
        await using var cluster = await OperatorCluster.StartAsync("workertwo");
        var controller = cluster.StartOperator("controller-a", "10s", "--role", "controller,content");
        PackyardProcess[] workers = [cluster.StartWorker("worker-a", "--worker-concurrency", "2"), cluster.StartWorker("worker-b", "--worker-concurrency", "2")];
        foreach (var worker in workers)
        {
            await worker.WaitUntilAsync("the worker answers /readyz", async () => await OperatorCluster.TryMetricsAsync(worker) is not null, Timeout);
        }

        var names = Enumerable.Range(1, repositories).Select(i => $"slow{i}").ToArray();
        var kubectl = cluster.Kubectl;
        await slow.ApplyAsync(kubectl, names);
        await OperatorModeTests.WaitAsync(cluster, controller, "--for=condition=Ready", [.. names.Select(n => $"repository/{n}")]);

        // Requests while syncs run or wait: a second request for a repository whose sync is queued joins that task.
        foreach (var round in new[] { "second", "third" })
        {
            foreach (var name in names)
            {
                await kubectl.SucceedAsync("annotate", "repository", name, $"packyard.io/requested-at={round}", "--overwrite");
            }
        }

        await OperatorModeTests.WaitAsync(cluster, controller, "--for=jsonpath={.status.lastHandledRequest}=third", [.. names.Select(n => $"repository/{n}")]);
        await OperatorModeTests.WaitAsync(cluster, controller, "--for=condition=Ready", [.. names.Select(n => $"repository/{n}")]);

        var tasks = await TasksAsync(cluster.Database);
        Assert.All(tasks, t => Assert.Equal(("succeeded", 1), (t.State, t.Attempts)));
        Assert.Equal(names.Order(StringComparer.Ordinal), tasks.Select(t => t.Repository).Distinct().Order(StringComparer.Ordinal));
        Assert.True(tasks.Count >= 2 * repositories, $"{tasks.Count} tasks for {repositories} repositories requested three times");
        Assert.Equal(["worker-a", "worker-b"], tasks.Select(t => t.Worker!).Distinct().Order(StringComparer.Ordinal));
        foreach (var group in tasks.GroupBy(t => t.Repository))
        {
            var ordered = group.OrderBy(t => t.Started).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].Started >= ordered[i - 1].Finished,
                    $"{group.Key}: task {ordered[i].Id} started at {ordered[i].Started:O} before task {ordered[i - 1].Id} finished at {ordered[i - 1].Finished:O}");
            }
        }

        // Each artifact (distinct in every folder) was downloaded once, by whichever worker ran the first sync; the later syncs changed nothing.
        foreach (var name in names)
        {
            Assert.Equal(3, slow.Downloads(name));
            Assert.Equal("1", await kubectl.SucceedAsync("get", "repository", name, "-o", "jsonpath={.status.latestVersion}"));
        }
    }

    [GeneratedRegex(@"^sync running on worker (?<worker>[\w-]+) since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(task \d+\)$")]
    private static partial Regex RunningPattern();

    private static Regex RunningMessage(string worker) =>
        new($@"^sync running on worker {Regex.Escape(worker)} since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(task \d+\)$");

    /// <summary>A controller (with content) and worker-a, and the Repository "slow" applied; returns once status shows its sync running.</summary>
    private static async Task<(PackyardProcess Controller, PackyardProcess Worker, string Running)> StartSlowSyncAsync(OperatorCluster cluster, SlowUpstream slow)
    {
        var controller = cluster.StartOperator("controller-a", "10s", "--role", "controller,content");
        var worker = cluster.StartWorker("worker-a");
        await slow.ApplyAsync(cluster.Kubectl, "slow");
        return (controller, worker, await WaitForRunningAsync(cluster, controller, "slow"));
    }

    /// <summary>Polls <c>kubectl get repository -o json</c> until Reconciling says a worker runs the sync; returns that message.</summary>
    private static async Task<string> WaitForRunningAsync(OperatorCluster cluster, PackyardProcess controller, string repository)
    {
        var message = "";
        await controller.WaitUntilAsync($"Repository {repository} shows its running sync", async () =>
        {
            var json = JsonNode.Parse(await cluster.Kubectl.SucceedAsync("get", "repository", repository, "-o", "json"))!;
            var reconciling = (json["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => (string?)c!["type"] == "Reconciling");
            message = (string?)reconciling?["message"] ?? "";
            return (string?)reconciling?["reason"] == "SyncRunning" && (string?)reconciling["status"] == "True" && RunningPattern().IsMatch(message);
        }, Timeout);
        return message;
    }

    /// <summary>Waits (up to 5 s) for a condition on what a process printed: its last lines may arrive just after it exits.</summary>
    private static async Task EventuallyAsync(Func<bool> condition, string message)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), message);
    }

    private sealed record TaskRow(long Id, string Repository, string State, string? Worker, int Attempts, DateTime? Started, DateTime? Finished);

    private static async Task<List<TaskRow>> TasksAsync(string database)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("""
            select t.id, r.name, t.state, t.worker, t.attempts, t.started, t.finished
            from tasks t join repositories r on r.id = t.repository_id where t.kind = 'sync' order by t.id
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<TaskRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new TaskRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetDateTime(5), reader.IsDBNull(6) ? null : reader.GetDateTime(6)));
        }

        return rows;
    }

    private static async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
