using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;
using Packyard.Tests.Kubernetes.Operator;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// Poison inputs in operator mode, against the real API server with the real kubectl: what the CRDs refuse, what an older CRD
/// lets through (each stalls its own resource while the operator keeps serving and reconciling the rest), a task that throws on
/// every worker (given up after --task-max-attempts, queued again on a new request), and a deletion that stops a running sync.
/// </summary>
public sealed partial class OperatorModePoisonTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task The_CRDs_refuse_rateLimit_0_and_what_an_older_CRD_let_through_stalls_its_own_resource_while_the_rest_is_served()
    {
        using var manifests = new TemporaryDirectory();
        // An API server of its own: the test replaces the Remote CRD, which every other test class would see on the shared one.
        await using var environment = await KubernetesEnvironment.StartAsync();
        await using var cluster = await OperatorCluster.StartAsync("poisonoperator", environment);
        var replica = cluster.StartOperator("replica-a");
        var kubectl = cluster.Kubectl;
        await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/quickstart", "distribution/quickstart");

        // The API server compares an integer with `minimum: 0.001` truncated to 0; the CRD's CEL rule refuses it.
        var refused = await kubectl.RunAsync("apply", "-f", manifests.Write("zero.yaml", Remote("zero", "rateLimit: 0")));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("spec.rateLimit must be between 0.001 and 1000000 requests per second", refused.Error, StringComparison.Ordinal);
        var tooLong = await kubectl.RunAsync("apply", "-f", manifests.Write("long.yaml", Remote("long", "timeout: 2000h")));
        Assert.Contains("spec.timeout must be between 1s and 24h", tooLong.Error, StringComparison.Ordinal);

        // A cluster whose Remote CRD was not upgraded (as on main: no CEL rules, no maximum) lets them in.
        var crd = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "crds", "packyard.io_remotes.yaml"));
        var older = CelRules().Replace(crd, "").Replace("                  maximum: 1000000\n", "", StringComparison.Ordinal);
        Assert.NotEqual(crd, older);
        await kubectl.SucceedAsync("apply", "-f", manifests.Write("older-crd.yaml", older));
        await kubectl.SucceedAsync("apply", "-f", manifests.Write("poison.yaml", string.Join("---\n",
            Remote("zero", "rateLimit: 0"), Repository("zero"),
            Remote("huge", "rateLimit: 1e300"), Repository("huge"),
            Remote("forever", "timeout: 2000h"), Repository("forever"),
            """
            apiVersion: v1
            kind: Secret
            metadata: {name: placeholder-cert}
            stringData:
              tls.crt: "-----BEGIN CERTIFICATE-----\nREPLACE-ME\n-----END CERTIFICATE-----\n"
              tls.key: "-----BEGIN PRIVATE KEY-----\nREPLACE-ME\n-----END PRIVATE KEY-----\n"

            """,
            Remote("pem", "tls: {clientCertSecretRef: {name: placeholder-cert}}"), Repository("pem"),
            """
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: dst}
            spec: {type: file, remoteRef: {name: quickstart-upstream}, sync: {schedule: "30 2 28 3 *", timeZone: Europe/Berlin}}

            """)));

        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Stalled", "remote/zero", "remote/huge", "remote/forever", "remote/pem",
            "repository/zero", "repository/huge", "repository/forever", "repository/pem");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/dst");
        async Task<string> StalledAsync(string kind, string name) => await kubectl.SucceedAsync("get", kind, name, "-o",
            """jsonpath={.status.conditions[?(@.type=="Stalled")].reason}|{.status.conditions[?(@.type=="Stalled")].message}""");
        Assert.Equal("InvalidSpec|spec.rateLimit must be between 0.001 and 1000000 requests per second (omit it for no limit), got 0", await StalledAsync("remote", "zero"));
        Assert.Equal("InvalidSpec|spec.rateLimit must be between 0.001 and 1000000 requests per second (omit it for no limit), got 1E+300", await StalledAsync("remote", "huge"));
        Assert.Equal("InvalidSpec|spec.timeout must be between 1s and 24h, got 2000h", await StalledAsync("remote", "forever"));
        Assert.StartsWith($"InvalidSecret|spec.tls.clientCertSecretRef: Secret {cluster.Namespace}/placeholder-cert: tls.crt and tls.key are not a PEM certificate and its private key",
            await StalledAsync("remote", "pem"));
        Assert.StartsWith("InvalidSpec|Remote zero: spec.rateLimit must be between", await StalledAsync("repository", "zero"));
        // 2027-03-28 02:30 does not exist in Berlin: the run happens when the clock jumps to 03:00 CEST (01:00 UTC).
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse(
            await kubectl.SucceedAsync("get", "repository", "dst", "-o", "jsonpath={.status.nextSyncTime}"), CultureInfo.InvariantCulture));

        // Everything else is still reconciled and served: a request on the quickstart is handled, and the process is healthy.
        await kubectl.SucceedAsync("annotate", "repository", "quickstart", "packyard.io/requested-at=after-poison", "--overwrite");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=jsonpath={.status.lastHandledRequest}=after-poison", "repository/quickstart");
        Assert.Equal(200, (int)(await replica.Http.GetAsync("files/quickstart/PULP_MANIFEST")).StatusCode);
        Assert.Equal("ok\n", await replica.Http.GetStringAsync("healthz"));
        Assert.False(replica.HasExited, replica.Output);
        Assert.DoesNotContain("REPLACE-ME", await kubectl.SucceedAsync("get", "remote,repository", "-o", "yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_that_throws_on_every_attempt_stays_failed_after_the_attempt_limit_and_is_queued_again_on_a_new_request()
    {
        using var upstream = new FileUpstream().Put("one.txt", "one\n").WriteManifest();
        using var manifests = new TemporaryDirectory();
        await using var cluster = await OperatorCluster.StartAsync("poisontask");
        var replica = cluster.StartOperator("replica-a", "10s", "--sync-retry-initial", "300ms", "--task-max-attempts", "3");
        await OperatorCluster.WaitForLeadershipAsync(replica, Timeout);

        // Settings the worker cannot read (as a bug or an older release could have written them): every attempt throws.
        await ExecuteAsync(cluster.Database, """
            create function poison_remote() returns trigger language plpgsql as $$
            begin
                if new.name = 'poisoned' then new.config := '"not remote settings"'::jsonb; end if;
                return new;
            end $$;
            create trigger poison_remote before insert or update on remotes for each row execute function poison_remote();
            """);
        var kubectl = cluster.Kubectl;
        await kubectl.SucceedAsync("apply", "-f", manifests.Write("poisoned.yaml", $$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: poisoned}
            spec: {type: file, url: "{{{upstream.FileUrl.AbsoluteUri}}}"}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: poisoned}
            spec: {type: file, remoteRef: {name: poisoned}}
            """));

        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Stalled", "repository/poisoned");
        var stalled = await kubectl.SucceedAsync("get", "repository", "poisoned", "-o",
            """jsonpath={.status.conditions[?(@.type=="Stalled")].reason}|{.status.conditions[?(@.type=="Stalled")].message}|{.status.conditions[?(@.type=="Ready")].status}""");
        // The exception is whatever reading the unreadable settings throws (the secret sealing reads them first).
        Assert.Matches(@"^SyncFailedUnexpectedError\|sync failed: \w+Exception: ", stalled);
        Assert.Contains("(gave up after 3 attempts that ended without a result;", stalled, StringComparison.Ordinal);
        Assert.EndsWith("|False", stalled);
        Assert.Equal(["failed", "failed", "failed"], await TaskStatesAsync(cluster.Database));

        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(3, (await TaskStatesAsync(cluster.Database)).Count);
        Assert.False(replica.HasExited, replica.Output);

        // A new request is a new attempt: queued again (and failing again while the settings stay unreadable).
        await kubectl.SucceedAsync("annotate", "repository", "poisoned", "packyard.io/requested-at=again", "--overwrite");
        await replica.WaitUntilAsync("the request queues the sync again", async () => (await TaskStatesAsync(cluster.Database)).Count > 3, Timeout);

        // Once the settings are readable, the next request syncs.
        await ExecuteAsync(cluster.Database, "drop trigger poison_remote on remotes");
        await kubectl.SucceedAsync("annotate", "repository", "poisoned", "packyard.io/requested-at=fixed", "--overwrite");
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/poisoned");
        Assert.Equal("1", await kubectl.SucceedAsync("get", "repository", "poisoned", "-o", "jsonpath={.status.latestVersion}"));
    }

    [Fact]
    public async Task Deleting_a_Repository_mid_sync_cancels_its_task_on_the_worker_at_once()
    {
        await using var slow = await SlowUpstream.StartAsync(files: 40, TimeSpan.FromMilliseconds(400));
        await using var cluster = await OperatorCluster.StartAsync("poisondelete");
        var replica = cluster.StartOperator("replica-a");
        var kubectl = cluster.Kubectl;
        await slow.ApplyAsync(kubectl, "slow");
        int Downloads() => slow.Downloads("slow");
        await replica.WaitUntilAsync("the worker is downloading", () => Task.FromResult(Downloads() >= 3), Timeout);

        var clock = Stopwatch.StartNew();
        await kubectl.SucceedAsync("delete", "repository", "slow", "--timeout=30s");
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        var settled = Downloads();
        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.Equal(settled, Downloads());
        Assert.True(settled < 20, $"{settled} of 40 files downloaded: the sync went on after the deletion");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15));
        Assert.False(replica.HasExited, replica.Output);
    }

    [GeneratedRegex(@"\n *x-kubernetes-validations:\n *- rule: (self >= 0\.001|duration\(self\))[^\n]*\n *message: [^\n]*")]
    private static partial Regex CelRules();

    private static string Remote(string name, string extra) => $$$"""
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: {{{name}}}}
        spec:
          type: file
          url: "http://127.0.0.1:9/"
          {{{extra}}}

        """;

    private static string Repository(string name) => $$$"""
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata: {name: {{{name}}}}
        spec:
          type: file
          remoteRef:
            name: {{{name}}}

        """;

    private static async Task<List<string>> TaskStatesAsync(string database)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("select state from tasks where kind = 'sync' order by id");
        await using var reader = await command.ExecuteReaderAsync();
        var states = new List<string>();
        while (await reader.ReadAsync())
        {
            states.Add(reader.GetString(0));
        }

        return states;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
