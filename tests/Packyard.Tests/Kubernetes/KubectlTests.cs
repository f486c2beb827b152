using System.Text.Json.Nodes;
using Packyard.Api.Resources;
using k8s;
using Packyard.ControllerRuntime;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes;

/// <summary>The real kubectl (1.32) against the test API server, with the Packyard client writing status.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private const string Remote = """
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata:
          name: upstream
          namespace: default
        spec:
          type: file
          url: https://example.com/files/
          policy: {0}
        """;

    private readonly TemporaryDirectory directory = new();
    private TestApiServer server = null!;
    private Kubectl kubectl = null!;

    public async Task InitializeAsync()
    {
        server = await TestApiServer.StartAsync();
        kubectl = new Kubectl(server);
    }

    public async Task DisposeAsync()
    {
        kubectl.Dispose();
        directory.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Apply_of_the_files_quickstart_creates_the_resources_and_reapplying_a_change_sends_a_merge_patch()
    {
        var output = await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");

        Assert.Contains("remote.packyard.io/quickstart-upstream created", output, StringComparison.Ordinal);
        Assert.Contains("repository.packyard.io/quickstart created", output, StringComparison.Ordinal);
        Assert.Contains("distribution.packyard.io/quickstart created", output, StringComparison.Ordinal);
        Assert.Contains("unchanged", await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/"), StringComparison.Ordinal);

        var changed = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples/files-quickstart/quickstart.yaml"))
            .Replace("retainVersions: 10", "retainVersions: 3", StringComparison.Ordinal);
        var file = directory.Write("quickstart.yaml", changed);
        Assert.Contains("repository.packyard.io/quickstart configured", await kubectl.SucceedAsync("apply", "-f", file), StringComparison.Ordinal);

        var repository = server.Store.Get(server.Resource("packyard.io", "repositories"), "default", "quickstart")!;
        Assert.Equal("3", repository["spec"]!["retainVersions"]!.ToJsonString());
        Assert.Equal("2", repository["metadata"]!["generation"]!.ToJsonString());
        Assert.Contains(server.Requests, r => r.Method == "PATCH" && r.ContentType == "application/merge-patch+json");
    }

    [Fact]
    public async Task Server_side_apply_of_the_files_quickstart_creates_and_then_updates_the_resources()
    {
        var created = await kubectl.SucceedAsync("apply", "--server-side", "--field-manager=gitops", "-f", "examples/files-quickstart/");
        var changed = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples/files-quickstart/quickstart.yaml"))
            .Replace("retainVersions: 10", "retainVersions: 4", StringComparison.Ordinal);
        var updated = await kubectl.SucceedAsync("apply", "--server-side", "--field-manager=gitops", "-f", directory.Write("quickstart.yaml", changed));

        Assert.Contains("repository.packyard.io/quickstart serverside-applied", created, StringComparison.Ordinal);
        Assert.Contains("repository.packyard.io/quickstart serverside-applied", updated, StringComparison.Ordinal);
        Assert.Equal("4", await kubectl.SucceedAsync("get", "repository", "quickstart", "-o", "jsonpath={.spec.retainVersions}"));
        Assert.Contains(server.Requests, r => r.ContentType == "application/apply-patch+yaml" && r.PathAndQuery.Contains("fieldManager=gitops", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_packyard_lists_every_kind_with_its_printer_columns()
    {
        await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");

        var output = await kubectl.SucceedAsync("get", "packyard");

        Assert.Matches(@"NAME\s+TYPE\s+URL\s+POLICY\s+READY\s+AGE", output);
        Assert.Matches(@"remote\.packyard\.io/quickstart-upstream\s+file\s+file:upstream/\s+Immediate\s+\S+", output);
        Assert.Contains("repository.packyard.io/quickstart", output, StringComparison.Ordinal);
        Assert.Contains("distribution.packyard.io/quickstart", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_as_yaml_shows_server_fields_and_schema_defaults()
    {
        await kubectl.SucceedAsync("apply", "-f", directory.Write("remote.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, Remote, "OnDemand")));

        var output = await kubectl.SucceedAsync("get", "remote", "upstream", "-o", "yaml");

        Assert.Contains("uid: ", output, StringComparison.Ordinal);
        Assert.Contains("generation: 1", output, StringComparison.Ordinal);
        Assert.Contains("resourceVersion: ", output, StringComparison.Ordinal);
        Assert.Contains("downloadConcurrency: 8", output, StringComparison.Ordinal);
        Assert.Contains("timeout: 5m", output, StringComparison.Ordinal);
        Assert.Contains("policy: OnDemand", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Annotate_changes_metadata_without_bumping_the_generation()
    {
        await kubectl.SucceedAsync("apply", "-f", directory.Write("remote.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, Remote, "Immediate")));

        await kubectl.SucceedAsync("annotate", "remote", "upstream", "packyard.io/requested-at=now");

        var output = await kubectl.SucceedAsync("get", "prem", "upstream", "-o", "jsonpath={.metadata.annotations.packyard\\.io/requested-at} {.metadata.generation}");
        Assert.Equal("now 1", output);
    }

    [Fact]
    public async Task Delete_of_an_object_with_a_finalizer_marks_it_and_removing_the_finalizer_removes_it()
    {
        await kubectl.SucceedAsync("apply", "-f", directory.Write("remote.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, Remote, "Immediate")));
        await kubectl.SucceedAsync("patch", "remote", "upstream", "--type=merge", "-p", """{"metadata":{"finalizers":["packyard.io/cleanup"]}}""");

        await kubectl.SucceedAsync("delete", "remote", "upstream", "--wait=false");

        var deletionTimestamp = await kubectl.SucceedAsync("get", "remote", "upstream", "-o", "jsonpath={.metadata.deletionTimestamp}");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", deletionTimestamp);

        await kubectl.SucceedAsync("patch", "remote", "upstream", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        var gone = await kubectl.RunAsync("get", "remote", "upstream");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("NotFound", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_of_an_invalid_enum_value_is_rejected_and_kubectl_prints_the_field_cause()
    {
        var result = await kubectl.RunAsync("apply", "-f", directory.Write("remote.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, Remote, "Bogus")));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(
            """The Remote "upstream" is invalid: spec.policy: Unsupported value: "Bogus": supported values: "Immediate", "OnDemand", "Streamed" """.TrimEnd(),
            result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_of_an_unknown_field_is_rejected_by_strict_field_validation()
    {
        var manifest = string.Format(System.Globalization.CultureInfo.InvariantCulture, Remote, "Immediate") + "\n  bogus: 1\n";

        var result = await kubectl.RunAsync("apply", "-f", directory.Write("remote.yaml", manifest));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("""strict decoding error: unknown field "spec.bogus" """.TrimEnd(), result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_for_condition_Ready_succeeds_once_the_client_patches_a_Ready_status()
    {
        await kubectl.SucceedAsync("apply", "-f", directory.Write("remote.yaml", string.Format(System.Globalization.CultureInfo.InvariantCulture, Remote, "Immediate")));
        var wait = kubectl.RunAsync("wait", "--for=condition=Ready", "remote/upstream", "--timeout=30s");
        await Task.Delay(1000);
        Assert.False(wait.IsCompleted);

        using var client = ResourceClient.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubectl.Kubeconfig));
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = 1,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "True",
                    ["observedGeneration"] = 1,
                    ["lastTransitionTime"] = "2026-01-01T00:00:00Z",
                    ["reason"] = "Succeeded",
                    ["message"] = "ready",
                }),
            },
        };
        var patched = await client.PatchStatusAsync(KubernetesKinds.Remote, "default", "upstream", KubernetesPatch.Merge(status), null, CancellationToken.None);

        Assert.Equal(ConditionStatus.True, patched.Status!.Conditions!.Single().Status);
        var result = await wait;
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("remote.packyard.io/upstream condition met", result.Output, StringComparison.Ordinal);
    }
}
