using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Npgsql;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Operator;
using Packyard.Tests.Standalone;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// Every kind of engine work is a task in operator mode: a controller-only process (no artifact store configured) queues
/// syncs, publishes and promotions and shows them queued and running on status; a separate worker process runs them; orphan
/// cleanup runs as a reclaim task at <c>--orphan-cleanup-interval</c>. Real kube-apiserver, real PostgreSQL, real processes.
/// </summary>
public sealed class OperatorModeTaskKindsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const string Promotion = """
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata:
          name: quickstart-prod
        spec:
          type: file
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Promotion
        metadata:
          name: quickstart-to-prod
        spec:
          sourceRef:
            name: quickstart
          targetRef:
            name: quickstart-prod
          mode: Merge
        """;

    [Fact]
    public async Task A_controller_without_a_store_queues_syncs_publishes_and_promotions_shown_on_status_and_a_separate_worker_runs_them()
    {
        await using var cluster = await OperatorCluster.StartAsync("taskkinds");
        var controller = cluster.StartControllerWithoutStore("controller-a");
        var kubectl = cluster.Kubectl;
        await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await ApplyAsync(cluster, Promotion);

        // No worker yet: each kind of task waits queued, and status says which task.
        await controller.WaitUntilAsync("the publish of quickstart-prod and the promotion are queued", async () =>
            await ReasonAsync(cluster, "repository", "quickstart-prod") == "PublishQueued" && await ReasonAsync(cluster, "promotion", "quickstart-to-prod") == "PromotionQueued",
            Timeout);
        var publish = await ScalarAsync<long>(cluster.Database, "select id from tasks where kind = 'publish' and state = 'queued' and args->>'repository' like '%/quickstart-prod'");
        var promote = await ScalarAsync<long>(cluster.Database, "select id from tasks where kind = 'promote' and state = 'queued'");
        Assert.Equal($"PublishQueued|publish queued (task {publish}), waiting for a worker|False", await kubectl.SucceedAsync("get", "repository", "quickstart-prod", "-o",
            """jsonpath={.status.conditions[?(@.type=="Reconciling")].reason}|{.status.conditions[?(@.type=="Reconciling")].message}|{.status.conditions[?(@.type=="Ready")].status}"""));
        Assert.Equal($"PromotionQueued|promote queued (task {promote}), waiting for a worker", await kubectl.SucceedAsync("get", "promotion", "quickstart-to-prod", "-o",
            """jsonpath={.status.conditions[?(@.type=="Reconciling")].reason}|{.status.conditions[?(@.type=="Reconciling")].message}"""));
        Assert.Equal("SyncQueued", await ReasonAsync(cluster, "repository", "quickstart"));
        // Tasks are unique while queued: the controller's reconciles (resync 10 s, the Wait requeue) queue nothing twice.
        Assert.Equal(0L, await ScalarAsync<long>(cluster.Database,
            "select count(*) from (select kind, key from tasks where state = 'queued' group by kind, key having count(*) > 1) d"));

        var worker = cluster.StartWorker("worker-a");

        await OperatorModeTests.WaitAsync(cluster, controller, "--for=condition=Ready", "repository/quickstart", "repository/quickstart-prod");
        await controller.WaitUntilAsync("the promotion holds the synced version 1 in quickstart-prod, published", async () =>
            await kubectl.SucceedAsync("get", "promotion", "quickstart-to-prod", "-o",
                """jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.status.sourceVersion}""") == "True|1"
            && await kubectl.SucceedAsync("get", "repository", "quickstart-prod", "-o",
                """jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.status.contentCount}|{.status.publication.version}""") is var prod
            && prod == $"True|3|{await kubectl.SucceedAsync("get", "repository", "quickstart-prod", "-o", "jsonpath={.status.latestVersion}")}",
            Timeout);

        // The worker ran every kind; the controller ran none and stored no object.
        var ran = await RowsAsync(cluster.Database, "select kind || ':' || state || ':' || coalesce(worker, '-') from tasks where kind <> 'reclaim' and state <> 'canceled'");
        Assert.All(ran, row => Assert.EndsWith(":succeeded:worker-a", row, StringComparison.Ordinal));
        Assert.Equal(["promote", "publish", "sync"], ran.Select(r => r.Split(':')[0]).Distinct().Order().ToList());
        Assert.Contains("claimed task", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("claimed task", controller.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(cluster.DataDirectoryOf("controller-a"), "artifacts")), "the controller has no artifact store");
        Assert.NotEmpty(ObjectsIn(cluster.Storage));

        // The promotion was reported once: one Promoted event per new target version, and it is not run again while nothing changes.
        var promotes = await ScalarAsync<long>(cluster.Database, "select count(*) from tasks where kind = 'promote'");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await kubectl.SucceedAsync("annotate", "promotion", "quickstart-to-prod", "example.com/touched=yes", "--overwrite");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(promotes, await ScalarAsync<long>(cluster.Database, "select count(*) from tasks where kind = 'promote'"));
    }

    [Theory]
    [InlineData("filesystem")]
    [InlineData("s3")]
    public async Task Orphan_cleanup_runs_as_a_reclaim_task_at_the_configured_interval_and_deletes_only_what_nothing_references(string store)
    {
        await using var cluster = await OperatorCluster.StartAsync("reclaim-" + store);
        await using var moto = store == "s3" ? new MotoServer() : null;
        Func<byte[], Task<bool>> stored = content => Task.FromResult(File.Exists(ObjectPath(cluster.Storage, content)));
        if (moto is not null)
        {
            await moto.InitializeAsync();
            cluster.StorageUrl = $"s3://{MotoServer.AccessKey}:{MotoServer.SecretKey}@127.0.0.1:{moto.Port}/{moto.Bucket}?tls=false&prefix=reclaim";
            stored = content => S3ObjectExistsAsync(moto, "reclaim", content);
        }

        var replica = cluster.StartOperator("replica-a", "10s", "--orphan-cleanup-interval", "1s", "--deletion-grace", "0s", "--upload-token", "reclaim-token");
        var kubectl = cluster.Kubectl;
        await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");
        await ApplyAsync(cluster, """
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata:
              name: scratch
            spec:
              type: file
              uploads:
                enabled: true
            """);
        await OperatorModeTests.WaitAsync(cluster, replica, "--for=condition=Ready", "repository/quickstart", "repository/scratch");

        // scratch holds one file of its own and one the quickstart repository holds too.
        var shared = await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot.Path, "examples", "files-quickstart", "upstream",
            (await replica.Http.GetStringAsync("files/quickstart/PULP_MANIFEST")).Split('\n')[0].Split(',')[0]));
        var own = "only scratch references this\n"u8.ToArray();
        Assert.Equal(HttpStatusCode.Created, await UploadAsync(replica, cluster.Namespace, "own.txt", own));
        Assert.Equal(HttpStatusCode.Created, await UploadAsync(replica, cluster.Namespace, "shared.txt", shared));
        await replica.WaitUntilAsync("scratch is at version 2", async () =>
            await kubectl.SucceedAsync("get", "repository", "scratch", "-o", "jsonpath={.status.latestVersion}") == "2", Timeout);
        Assert.True(await stored(own));

        await kubectl.SucceedAsync("delete", "repository", "scratch", "--wait=true", $"--timeout={Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");

        await replica.WaitUntilAsync($"a reclaim task deletes scratch's own artifact from the {store} store", async () => !await stored(own), Timeout);
        Assert.True(await stored(shared), "the artifact quickstart references too stays");
        Assert.Equal(HttpStatusCode.OK, (await replica.Http.GetAsync("files/quickstart/PULP_MANIFEST")).StatusCode);
        Assert.True(await ScalarAsync<long>(cluster.Database, "select count(*) from tasks where kind = 'reclaim' and state = 'succeeded' and worker = 'replica-a'") >= 1);

        // At least every interval, and one at a time: reclaims keep coming, never two open at once.
        var before = await ScalarAsync<long>(cluster.Database, "select count(*) from tasks where kind = 'reclaim'");
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.InRange(await ScalarAsync<long>(cluster.Database, "select count(*) from tasks where kind = 'reclaim'") - before, 2, 6);
    }

    [Fact]
    public async Task Publish_and_sync_tasks_carry_the_signing_key_sealed_and_a_publish_that_fails_is_Ready_False_PublishFailed()
    {
        await using var cluster = await OperatorCluster.StartAsync("publishfail");
        var replica = cluster.StartOperator("replica-a");
        const string key = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nnot a key at all\n-----END PGP PRIVATE KEY BLOCK-----\n";
        await ApplyAsync(cluster, $$"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: broken-signing-key
            stringData:
              private.asc: "{{key.Replace("\n", "\\n", StringComparison.Ordinal)}}"
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata:
              name: signed
            spec:
              type: deb
              publish:
                signingKeySecretRef:
                  name: broken-signing-key
                  key: private.asc
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata:
              name: quickstart
            spec:
              type: file
              url: file:upstream/
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata:
              name: synced-with-key
            spec:
              type: file
              remoteRef:
                name: quickstart
              publish:
                signingKeySecretRef:
                  name: broken-signing-key
                  key: private.asc
            """);

        await replica.WaitUntilAsync("the failed publish is reported", async () =>
            await cluster.Kubectl.SucceedAsync("get", "repository", "signed", "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].reason}""") == "PublishFailed",
            Timeout);
        var ready = await cluster.Kubectl.SucceedAsync("get", "repository", "signed", "-o",
            """jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].message}""");
        Assert.StartsWith("False|publishing version 0 failed: ", ready, StringComparison.Ordinal);
        Assert.DoesNotContain("not a key at all", ready, StringComparison.Ordinal);

        // A sync task carries the key too, to publish the version it creates (the file type signs nothing, so it is Ready).
        await replica.WaitUntilAsync("the synced Repository is Ready with its version published by the sync task", async () =>
            await cluster.Kubectl.SucceedAsync("get", "repository", "synced-with-key", "-o",
                """jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.status.publication.version}""") == "True|1",
            Timeout);

        // The key is in the tasks table only sealed: neither its text nor its base64 appears there.
        var args = await RowsAsync(cluster.Database, "select args::text from tasks where kind in ('publish', 'sync')");
        Assert.Equal(["publish", "sync"], await RowsAsync(cluster.Database, "select distinct kind from tasks where kind in ('publish', 'sync') order by kind"));
        Assert.All(args, a =>
        {
            Assert.Contains("\"sealedSigningKey\": \"v1:", a, StringComparison.Ordinal);
            Assert.DoesNotContain("not a key at all", a, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key))[..40], a, StringComparison.Ordinal);
        });
        Assert.Contains("failed", string.Join(',', await RowsAsync(cluster.Database, "select state from tasks where kind = 'publish'")), StringComparison.Ordinal);
    }

    internal static async Task ApplyAsync(OperatorCluster cluster, string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"packyard-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            await cluster.Kubectl.SucceedAsync("apply", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<HttpStatusCode> UploadAsync(PackyardProcess replica, string ns, string path, byte[] content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/namespaces/{ns}/repositories/scratch/content")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent(path), "relativePath" },
                { new ByteArrayContent(content), "file", path },
            },
        };
        request.Headers.Authorization = new("Bearer", "reclaim-token");
        using var response = await replica.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string> ReasonAsync(OperatorCluster cluster, string kind, string name) =>
        (await cluster.Kubectl.RunAsync("get", kind, name, "-o", """jsonpath={.status.conditions[?(@.type=="Reconciling")].reason}""")).Output.Trim();

    /// <summary>Where the file store keeps <paramref name="content"/>: objects/ab/cd/abcd….</summary>
    internal static string ObjectPath(string storage, byte[] content)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        return Path.Combine(storage, "objects", sha[..2], sha[2..4], sha);
    }

    /// <summary>Whether the S3 store under <paramref name="prefix"/> holds an object with <paramref name="content"/> (keys end in its sha256).</summary>
    private static async Task<bool> S3ObjectExistsAsync(MotoServer moto, string prefix, byte[] content)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        using var client = moto.CreateClient();
        var listing = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = moto.Bucket, Prefix = prefix });
        return listing.S3Objects?.Any(o => o.Key.EndsWith(sha, StringComparison.Ordinal)) ?? false;
    }

    internal static List<string> ObjectsIn(string storage) =>
        Directory.Exists(Path.Combine(storage, "objects")) ? Directory.EnumerateFiles(Path.Combine(storage, "objects"), "*", SearchOption.AllDirectories).ToList() : [];

    /// <summary>The first column of each row <paramref name="sql"/> returns, as text.</summary>
    internal static async Task<List<string>> RowsAsync(string database, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
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
