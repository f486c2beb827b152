using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Npgsql;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Operator;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// <c>packyard operator</c> as a process against the real API server, driven with the real kubectl as a user or a GitOps
/// tool would: apply, wait, annotate, patch, delete.
/// </summary>
public sealed class OperatorModeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(50); // under Kubectl's 60 s limit

    [Fact]
    public async Task Quickstart_applied_with_kubectl_becomes_Ready_is_served_and_lists_with_printer_columns()
    {
        await using var cluster = await OperatorCluster.StartAsync("operatorquickstart");
        var replica = cluster.StartOperator("replica-a");

        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await WaitAsync(cluster, replica, "--for=condition=Ready", "remote/quickstart-upstream", "repository/quickstart", "distribution/quickstart");

        var upstream = Path.Combine(RepositoryRoot.Path, "examples", "files-quickstart", "upstream");
        var manifest = await replica.Http.GetStringAsync("files/quickstart/PULP_MANIFEST");
        var expected = (await File.ReadAllLinesAsync(Path.Combine(upstream, "PULP_MANIFEST"))).Where(l => l.Length > 0).Order(StringComparer.Ordinal);
        Assert.Equal(expected, manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        foreach (var line in manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(',');
            var content = await replica.Http.GetByteArrayAsync($"files/quickstart/{fields[0]}");
            Assert.Equal(fields[1], Convert.ToHexStringLower(SHA256.HashData(content)));
        }

        var table = await cluster.Kubectl.SucceedAsync("get", "packyard");
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("NAME", StringComparison.Ordinal) && l.Contains("TYPE", StringComparison.Ordinal)
            && l.Contains("VERSION", StringComparison.Ordinal) && l.Contains("CONTENT", StringComparison.Ordinal) && l.Contains("READY", StringComparison.Ordinal));
        var repositoryRow = Assert.Single(lines, l => l.StartsWith("repository.packyard.io/quickstart", StringComparison.Ordinal));
        Assert.Equal(["repository.packyard.io/quickstart", "file", "1", "3", "True"], repositoryRow.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..5]);
        Assert.Contains(lines, l => l.StartsWith("distribution.packyard.io/quickstart", StringComparison.Ordinal) && l.Contains("True", StringComparison.Ordinal));

        var status = await cluster.Kubectl.SucceedAsync("get", "distribution", "quickstart", "-o", "jsonpath={.status.url} {.status.servedVersion} {.status.observedGeneration}");
        Assert.Equal($"{replica.BaseUrl}files/quickstart/ 1 1", status);

        // Events are core/v1 Events on the objects, written in the background.
        await replica.WaitUntilAsync("SyncSucceeded and Published events are recorded", async () =>
        {
            var reasons = await cluster.Kubectl.SucceedAsync("get", "events", "-o", "jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name}:{.reason} {end}");
            return reasons.Contains("Repository/quickstart:SyncSucceeded", StringComparison.Ordinal) && reasons.Contains("Repository/quickstart:Published", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20));

        var metrics = await replica.Http.GetStringAsync("metrics");
        Assert.True(OperatorCluster.Metric(metrics, "packyard_reconcile_total", "kind=\"Repository\"", "result=\"done\"") >= 1, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_reconcile_duration_seconds_count", "kind=\"Distribution\"") >= 1, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_sync_duration_seconds_count", "result=\"succeeded\"") >= 1, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_downloaded_bytes_total") > 0, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_served_bytes_total") > 0, metrics);
        Assert.True(OperatorCluster.Metric(metrics, "packyard_tasks", "state=\"succeeded\"") >= 1, metrics);
        Assert.Equal(1, OperatorCluster.Metric(metrics, "packyard_leader"));
        Assert.Contains("# TYPE packyard_workqueue_depth gauge", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_spec_changes_invalid_specs_and_deletions_are_reconciled_through_status_and_finalizers()
    {
        using var upstream = new FileUpstream().Put("one.txt", "one\n").WriteManifest();
        using var manifests = new TemporaryDirectory();
        await using var cluster = await OperatorCluster.StartAsync("operatorlifecycle");
        var replica = cluster.StartOperator("replica-a");
        var kubectl = cluster.Kubectl;
        await kubectl.SucceedAsync("apply", "-f", manifests.Write("life.yaml", $$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: life-upstream}
            spec: {type: file, url: "{{{upstream.FileUrl.AbsoluteUri}}}", policy: Immediate}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: life}
            spec: {type: file, remoteRef: {name: life-upstream}, sync: {mode: Mirror}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: life}
            spec: {basePath: files/life, repositoryRef: {name: life}}
            """));
        await WaitAsync(cluster, replica, "--for=condition=Ready", "repository/life", "distribution/life");
        Assert.Equal("packyard.io/finalizer", await kubectl.SucceedAsync("get", "repository", "life", "-o", "jsonpath={.metadata.finalizers[*]}"));

        // A request (new annotation value) syncs again, picks up the new upstream file and is echoed in status.
        upstream.Put("two.txt", "two\n").WriteManifest();
        await kubectl.SucceedAsync("annotate", "repository", "life", "packyard.io/requested-at=first", "--overwrite");
        await WaitAsync(cluster, replica, "--for=jsonpath={.status.lastHandledRequest}=first", "repository/life");
        Assert.Equal("2 1", await kubectl.SucceedAsync("get", "repository", "life", "-o", "jsonpath={.status.latestVersion} {.status.observedGeneration}"));
        await replica.WaitUntilAsync("two.txt is served", async () => (await replica.Http.GetAsync("files/life/two.txt")).IsSuccessStatusCode, Timeout);

        // A spec change bumps the generation; status follows it.
        await kubectl.SucceedAsync("patch", "repository", "life", "--type=merge", "-p", """{"spec":{"retainVersions":3}}""");
        await WaitAsync(cluster, replica, "--for=jsonpath={.status.observedGeneration}=2", "repository/life");

        // A spec the API accepts but Packyard cannot use stalls with a message naming the field.
        await kubectl.SucceedAsync("patch", "repository", "life", "--type=merge", "-p", """{"spec":{"sync":{"schedule":"0 2 * * *","timeZone":"Mars/Olympus"}}}""");
        await WaitAsync(cluster, replica, "--for=condition=Stalled", "repository/life");
        var stalled = await kubectl.SucceedAsync("get", "repository", "life", "-o",
            """jsonpath={.status.conditions[?(@.type=="Stalled")].reason}|{.status.conditions[?(@.type=="Stalled")].message}|{.status.conditions[?(@.type=="Ready")].status}|{.status.observedGeneration}""");
        Assert.Equal("InvalidSpec|spec.sync.timeZone 'Mars/Olympus' is not a known IANA time zone|False|3", stalled);
        await replica.WaitUntilAsync("a Stalled warning event names the reason and the field", async () =>
        {
            var events = await kubectl.SucceedAsync("get", "events", "-o",
                "jsonpath={range .items[*]}{.type}:{.involvedObject.name}:{.reason}:{.message}|{end}");
            return events.Contains("Warning:life:Stalled:InvalidSpec: spec.sync.timeZone 'Mars/Olympus'", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20));
        await kubectl.SucceedAsync("patch", "repository", "life", "--type=merge", "-p", """{"spec":{"sync":{"timeZone":"Europe/Berlin"}}}""");
        await WaitAsync(cluster, replica, "--for=condition=Ready", "repository/life");
        Assert.Equal("", await kubectl.SucceedAsync("get", "repository", "life", "-o", """jsonpath={.status.conditions[?(@.type=="Stalled")].status}"""));

        // Deleting the Distribution stops serving it at once (kubectl waits for the finalizer).
        await kubectl.SucceedAsync("delete", "distribution", "life", "--timeout=60s");
        Assert.Equal(HttpStatusCode.NotFound, (await replica.Http.GetAsync("files/life/one.txt")).StatusCode);

        // Deleting the Repository detaches its versions in the engine (kept for --deletion-grace) before the finalizer lets the object go.
        Assert.Equal(1L, await CountRepositoriesAsync(cluster, "life", live: true));
        await kubectl.SucceedAsync("delete", "repository", "life", "--timeout=60s");
        Assert.Contains("NotFound", (await kubectl.RunAsync("get", "repository", "life")).Error, StringComparison.Ordinal);
        Assert.Equal(0L, await CountRepositoriesAsync(cluster, "life", live: true));
        Assert.Equal(1L, await CountRepositoriesAsync(cluster, "life", live: false));
        await replica.WaitUntilAsync("a Deleted event says how long the versions are kept", async () =>
            (await kubectl.SucceedAsync("get", "events", "-o", "jsonpath={range .items[*]}{.involvedObject.name}:{.reason}:{.message}|{end}"))
                .Contains("life:Deleted:versions up to 2 kept until ", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

        // Re-created within the grace period (a git revert of the revert), it gets its versions back and is served again.
        await kubectl.SucceedAsync("apply", "-f", manifests.Path);
        await WaitAsync(cluster, replica, "--for=condition=Ready", "repository/life", "distribution/life");
        Assert.Equal("2 2", await kubectl.SucceedAsync("get", "repository", "life", "-o", "jsonpath={.status.latestVersion} {.status.publication.version}"));
        Assert.Equal("two\n", await replica.Http.GetStringAsync("files/life/two.txt"));
        await replica.WaitUntilAsync("a Restored event names the versions", async () =>
            (await kubectl.SucceedAsync("get", "events", "-o", "jsonpath={range .items[*]}{.involvedObject.name}:{.reason}:{.message}|{end}"))
                .Contains("life:Restored:restored versions 1–2 kept since deletion at ", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_content_guard_Secret_created_after_the_Distribution_is_picked_up_through_the_Secret_watch()
    {
        using var upstream = new FileUpstream().Put("one.txt", "one\n").WriteManifest();
        using var manifests = new TemporaryDirectory();
        await using var cluster = await OperatorCluster.StartAsync("operatorguard");
        var replica = cluster.StartOperator("replica-a");
        var kubectl = cluster.Kubectl;
        await kubectl.SucceedAsync("apply", "-f", manifests.Write("guarded.yaml", $$$$"""
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: guarded}
            spec: {type: file, url: "{{{{upstream.FileUrl.AbsoluteUri}}}}", policy: Immediate}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: guarded}
            spec: {type: file, remoteRef: {name: guarded}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Distribution
            metadata: {name: guarded}
            spec: {basePath: files/guarded, repositoryRef: {name: guarded}, contentGuard: {basicAuthSecretRef: {name: readers}}}
            """));
        await WaitAsync(cluster, replica, "--for=condition=Stalled", "distribution/guarded");
        Assert.Equal($"SecretNotFound|spec.contentGuard.basicAuthSecretRef: Secret {cluster.Namespace}/readers not found", await kubectl.SucceedAsync("get", "distribution", "guarded", "-o",
            """jsonpath={.status.conditions[?(@.type=="Stalled")].reason}|{.status.conditions[?(@.type=="Stalled")].message}"""));

        await kubectl.SucceedAsync("apply", "-f", manifests.Write("readers.yaml", """
            apiVersion: v1
            kind: Secret
            metadata: {name: readers}
            stringData: {alice: wonderland}
            """));
        await WaitAsync(cluster, replica, "--for=condition=Ready", "distribution/guarded");

        Assert.Equal(HttpStatusCode.Unauthorized, (await replica.Http.GetAsync("files/guarded/one.txt")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/guarded/one.txt");
        request.Headers.Authorization = new("Basic", Convert.ToBase64String("alice:wonderland"u8.ToArray()));
        using var response = await replica.Http.SendAsync(request);
        Assert.Equal("one\n", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain("wonderland", await kubectl.SucceedAsync("get", "distribution", "guarded", "-o", "yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_are_authorised_by_the_cluster_with_TokenReview_and_SubjectAccessReview()
    {
        await using var cluster = await OperatorCluster.StartAsync("operatoruploads");
        var replica = cluster.StartOperator("replica-a");
        await cluster.Kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await WaitAsync(cluster, replica, "--for=condition=Ready", "repository/quickstart", "distribution/quickstart");
        // Real ServiceAccount tokens: one bound to config/rbac's packyard-uploader as README says, one without any grant,
        // and one of the uploader issued for another audience than the API server's.
        var uploader = await cluster.CreateUploaderTokenAsync("builder");
        await cluster.Kubectl.SucceedAsync("create", "serviceaccount", "intruder");
        var unbound = (await cluster.Kubectl.SucceedAsync("create", "token", "intruder")).Trim();
        var otherAudience = (await cluster.Kubectl.SucceedAsync("create", "token", "builder", "--audience=https://packyard.example.com")).Trim();

        async Task<HttpStatusCode> UploadAsync(string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/namespaces/{cluster.Namespace}/repositories/quickstart/content")
            {
                Content = new MultipartFormDataContent
                {
                    { new StringContent("notes/uploaded.txt"), "relativePath" },
                    { new ByteArrayContent("uploaded\n"u8.ToArray()), "file", "uploaded.txt" },
                },
            };
            if (token is not null)
            {
                request.Headers.Authorization = new("Bearer", token);
            }

            using var response = await replica.Http.SendAsync(request);
            return response.StatusCode;
        }

        var mark = cluster.Requests().Count;
        Assert.Equal(HttpStatusCode.Unauthorized, await UploadAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await UploadAsync("not-a-token-the-cluster-knows"));
        Assert.Equal(HttpStatusCode.Unauthorized, await UploadAsync(otherAudience));
        Assert.Equal(HttpStatusCode.Forbidden, await UploadAsync(unbound));
        Assert.Equal(HttpStatusCode.Forbidden, await UploadAsync(cluster.Environment.StaticUserToken("mallory")));
        Assert.Equal(HttpStatusCode.NotFound, (await replica.Http.GetAsync("files/quickstart/notes/uploaded.txt")).StatusCode);

        // The ServiceAccount bound to packyard-uploader may create repositories/content; the upload becomes a version that is served.
        var status = await UploadAsync(uploader);
        Assert.True((int)status is >= 200 and < 300, $"upload with the uploader's token: {status}\n{replica.Output}");
        await replica.WaitUntilAsync("the uploaded file is served", async () =>
            (await replica.Http.GetAsync("files/quickstart/notes/uploaded.txt")).IsSuccessStatusCode, Timeout);
        Assert.Equal("uploaded\n", await replica.Http.GetStringAsync("files/quickstart/notes/uploaded.txt"));

        // The API server decided: the operator asked it with TokenReviews and, for the authenticated users, SubjectAccessReviews.
        var reviews = cluster.Requests().Skip(mark).Where(r => r.Verb == "create").Select(r => r.Resource).ToList();
        Assert.True(reviews.Count(r => r == "tokenreviews") >= 4, string.Join(", ", reviews));
        Assert.True(reviews.Count(r => r == "subjectaccessreviews") >= 3, string.Join(", ", reviews));
    }

    /// <summary>Runs <c>kubectl wait</c> on <paramref name="resources"/>; a failure shows the objects and the operator's output.</summary>
    internal static async Task WaitAsync(OperatorCluster cluster, PackyardProcess replica, string condition, params string[] resources)
    {
        var result = await cluster.Kubectl.RunAsync(["wait", condition, .. resources, $"--timeout={Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s"]);
        if (result.ExitCode != 0)
        {
            var objects = await cluster.Kubectl.RunAsync(["get", .. resources, "-o", "yaml"]);
            Assert.Fail($"kubectl wait {condition} {string.Join(' ', resources)}: {result.Error}\n{objects.Output}\nOperator output:\n{replica.Output}");
        }
    }

    /// <summary>The live repositories (or those kept since a deletion) of that name in the engine.</summary>
    private static async Task<long> CountRepositoriesAsync(OperatorCluster cluster, string name, bool live)
    {
        await using var dataSource = NpgsqlDataSource.Create(cluster.Database);
        await using var command = dataSource.CreateCommand(
            $"select count(*) from repositories where namespace = $1 and name = $2 and deleted is {(live ? "" : "not ")}null");
        command.Parameters.AddWithValue(cluster.Namespace);
        command.Parameters.AddWithValue(name);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
