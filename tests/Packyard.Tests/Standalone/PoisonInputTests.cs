using System.Globalization;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Standalone;

/// <summary>
/// Inputs that used to crash or wedge <c>packyard run</c> (a placeholder PEM client certificate, a schedule whose next run falls
/// into a DST gap, a timeout no timer can hold, a rate of 0): each is reported on its own resource with a precise message while
/// every other resource keeps being reconciled and served, however often the bad ones are reconciled.
/// </summary>
public sealed class PoisonInputTests
{
    private const string PlaceholderPem = """
        -----BEGIN CERTIFICATE-----
        REPLACE-WITH-THE-CLIENT-CERTIFICATE
        -----END CERTIFICATE-----
        """;

    [Fact]
    public async Task Poison_inputs_stall_their_own_resources_with_a_precise_message_and_everything_else_keeps_syncing_and_serving()
    {
        using var workspace = new StandaloneWorkspace();
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(workspace.PathOf("upstream")).FullName, "one.txt"), "one\n");
        workspace.WriteUpstreamManifest();
        workspace.Write("good.yaml", Good(requested: null));
        workspace.Write("poison.yaml", $$$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: placeholder-cert, namespace: default}
            stringData:
              tls.crt: |
            {{{Indent(PlaceholderPem, 4)}}}
              tls.key: |
                -----BEGIN PRIVATE KEY-----
                REPLACE-WITH-THE-KEY
                -----END PRIVATE KEY-----
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: pem, namespace: default}
            spec:
              type: file
              url: "http://127.0.0.1:9/"
              tls:
                clientCertSecretRef: {name: placeholder-cert}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: pem, namespace: default}
            spec: {type: file, remoteRef: {name: pem}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: forever, namespace: default}
            spec: {type: file, url: "http://127.0.0.1:9/", timeout: 2000h}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: forever, namespace: default}
            spec: {type: file, remoteRef: {name: forever}}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Remote
            metadata: {name: zero, namespace: default}
            spec: {type: file, url: "http://127.0.0.1:9/", rateLimit: 0}
            ---
            apiVersion: packyard.io/v1alpha1
            kind: Repository
            metadata: {name: dst, namespace: default}
            spec: {type: file, remoteRef: {name: good}, sync: {schedule: "30 2 28 3 *", timeZone: Europe/Berlin}}

            """);
        var database = await PostgresCluster.CreateDatabaseAsync(nameof(PoisonInputTests));
        var port = HttpUpstream.FreePort();
        // Everything is reconciled every second, so the bad resources come round again and again (four reconcile workers).
        await using var packyard = PackyardProcess.Launch(workspace.Data, port, [
            "run", "--manifests", workspace.Manifests, "--data-dir", workspace.Data, "--database", database,
            "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--interval", "1s"]);

        var resources = await packyard.WaitForAsync("the good Distribution is Ready and every poison resource has its verdict", r =>
            r.IsReady("Distribution", "good") && r.IsReady("Repository", "dst")
            && Stalled(r, "Remote", "pem") is not null && Stalled(r, "Repository", "pem") is not null
            && Stalled(r, "Remote", "forever") is not null && Stalled(r, "Remote", "zero") is not null);
        var snapshot = new ResourceSnapshot(resources);

        Assert.Equal(("InvalidSecret", "spec.tls.clientCertSecretRef: Secret default/placeholder-cert: tls.crt and tls.key are not a PEM certificate and its private key"),
            Verdict(Stalled(snapshot, "Remote", "pem")!));
        Assert.StartsWith("Remote pem: spec.tls.clientCertSecretRef: Secret default/placeholder-cert: tls.crt and tls.key are not a PEM", (string?)Stalled(snapshot, "Repository", "pem")!["message"]);
        // Manifest validation already refuses these two numbers; their Repository waits for a usable Remote.
        Assert.Contains("spec.timeout must be between 1s and 24h", (string?)Stalled(snapshot, "Remote", "forever")!["message"], StringComparison.Ordinal);
        Assert.Equal("False", (string?)snapshot.Condition("Repository", "forever", "Ready")!["status"]);
        Assert.Contains("spec.rateLimit", (string?)Stalled(snapshot, "Remote", "zero")!["message"], StringComparison.Ordinal);
        // 2027-03-28 02:30 does not exist in Berlin: the run happens when the clock jumps to 03:00 CEST (01:00 UTC).
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero),
            DateTimeOffset.Parse((string)snapshot.Status("Repository", "dst")!["nextSyncTime"]!, CultureInfo.InvariantCulture));
        Assert.DoesNotContain("BEGIN", resources.ToJsonString(), StringComparison.Ordinal);

        // Let the bad resources be reconciled many times over; then the good one must still sync a change and serve it.
        await Task.Delay(TimeSpan.FromSeconds(6));
        File.WriteAllText(workspace.PathOf("upstream/two.txt"), "two\n");
        workspace.WriteUpstreamManifest();
        workspace.Write("good.yaml", Good(requested: "after-poison"));
        await packyard.WaitUntilAsync("two.txt, synced after the poison inputs went round, is served", async () =>
            (await packyard.Http.GetAsync("files/good/two.txt")).IsSuccessStatusCode, TimeSpan.FromSeconds(30));
        Assert.Equal("ok\n", await packyard.Http.GetStringAsync("healthz"));
        Assert.False(packyard.HasExited);
    }

    private static JsonNode? Stalled(ResourceSnapshot resources, string kind, string name) =>
        resources.Condition(kind, name, "Stalled") is { } stalled && (string?)stalled["status"] == "True"
        && resources.Condition(kind, name, "Ready") is { } ready && (string?)ready["status"] == "False" ? stalled : null;

    private static (string?, string) Verdict(JsonNode condition) =>
        ((string?)condition["reason"], ((string?)condition["message"] ?? "").Split(" (", 2)[0]);

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => new string(' ', spaces) + line));

    private static string Good(string? requested) => $$$"""
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata: {name: good, namespace: default}
        spec: {type: file, url: "file:upstream/"}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Repository
        metadata:
          name: good
          namespace: default
          annotations: {packyard.io/requested-at: "{{{requested ?? "never"}}}"}
        spec: {type: file, remoteRef: {name: good}}
        ---
        apiVersion: packyard.io/v1alpha1
        kind: Distribution
        metadata: {name: good, namespace: default}
        spec: {basePath: files/good, repositoryRef: {name: good}}

        """;
}
