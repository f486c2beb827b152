using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// A sync that creates a version publishes it in the same task: a new Repository goes SyncQueued → SyncRunning → Ready, never
/// PublishQueued, and no publish task is queued; the sync task carries the signing key only sealed. Standalone mode prints every
/// change of Ready, so its output is the record of the status transitions.
/// </summary>
public sealed class SyncPublishInOneTaskTests
{
    private const string SigningKey = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nkept only sealed in tasks\n-----END PGP PRIVATE KEY BLOCK-----\n";

    [Fact]
    public async Task A_new_Repository_and_a_requested_resync_publish_their_version_inside_the_sync_task_and_never_report_PublishQueued()
    {
        using var workspace = new StandaloneWorkspace();
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(workspace.PathOf("upstream")).FullName, "one.txt"), "one\n");
        workspace.WriteUpstreamManifest();
        workspace.Write("mirror.yaml", Manifests(requested: null));
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(SyncPublishInOneTaskTests));
        await using var packyard = PackyardProcess.Start(workspace.Manifests, workspace.Data, database);

        await packyard.WaitForAsync("mirror is Ready with version 1 published, and its Distribution Ready",
            r => r.IsReady("Repository", "mirror") && r.LatestVersion("mirror") == 1 && r.PublishedVersion("mirror") == 1
                && r.IsReady("Distribution", "mirror"));
        Assert.Equal("one\n", await packyard.Http.GetStringAsync("files/mirror/one.txt"));

        // The variant: a requested re-sync with new upstream content creates and publishes version 2 the same way.
        File.WriteAllText(workspace.PathOf("upstream/two.txt"), "two\n");
        workspace.WriteUpstreamManifest();
        workspace.Write("mirror.yaml", Manifests(requested: "2026-12-06T12:00:00Z"));
        await packyard.WaitForAsync("mirror is Ready with version 2 published",
            r => r.IsReady("Repository", "mirror") && r.LatestVersion("mirror") == 2 && r.PublishedVersion("mirror") == 2);
        await packyard.WaitUntilAsync("the Distribution serves version 2", async () =>
            (await packyard.Http.GetAsync("files/mirror/two.txt")).IsSuccessStatusCode);

        var output = packyard.Output;
        Assert.Contains("Repository default/mirror Ready=False SyncQueued", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PublishQueued", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PublishRunning", output, StringComparison.Ordinal);
        Assert.Contains("Published: version 1 published", output, StringComparison.Ordinal);
        Assert.Contains("Published: version 2 published", output, StringComparison.Ordinal);

        // Two sync tasks and no publish task ran; each sync task carried the signing key sealed, never in clear.
        Assert.Equal(["sync:succeeded", "sync:succeeded"], await Kubernetes.OperatorModeTaskKindsTests.RowsAsync(database, "select kind || ':' || state from tasks where kind <> 'reclaim' order by id"));
        var args = await Kubernetes.OperatorModeTaskKindsTests.RowsAsync(database, "select args::text from tasks where kind = 'sync'");
        Assert.All(args, a =>
        {
            Assert.Contains("\"sealedSigningKey\": \"v1:", a, StringComparison.Ordinal);
            Assert.DoesNotContain("kept only sealed", a, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SigningKey))[..40], a, StringComparison.Ordinal);
        });
    }

    private static string Manifests(string? requested) => $$$"""
        apiVersion: v1
        kind: Secret
        metadata: {name: signing-key, namespace: default}
        stringData:
          private.asc: "{{{SigningKey.Replace("\n", "\\n", StringComparison.Ordinal)}}}"
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: mirror, namespace: default}
        spec: {type: file, url: "file:upstream/"}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata:
          name: mirror
          namespace: default
          annotations: {packyard.io/requested-at: "{{{requested ?? "never"}}}"}
        spec:
          type: file
          remoteRef: {name: mirror}
          publish: {signingKeySecretRef: {name: signing-key, key: private.asc}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: mirror, namespace: default}
        spec: {basePath: files/mirror, repositoryRef: {name: mirror}}

        """;
}
