using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// The real kubectl (v1.36.2) against the real API server (<see cref="KubernetesEnvironment"/>), each test in a namespace of
/// its own (kubectl's default namespace); status is written over plain HTTP as the operator writes it.
/// </summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private const string Remote = """
        apiVersion: packyard.io/v1alpha1
        kind: Remote
        metadata:
          name: upstream
        spec:
          type: file
          url: https://example.com/files/
          policy: {0}
        """;

    private readonly TemporaryDirectory directory = new();
    private KubernetesEnvironment environment = null!;
    private string ns = null!;
    private Kubectl kubectl = null!;

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        ns = await environment.CreateNamespaceAsync("kubectl");
        kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "kubeconfig"), ns));
    }

    public Task DisposeAsync()
    {
        kubectl.Dispose();
        directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Apply_of_the_files_quickstart_creates_the_resources_and_reapplying_a_change_patches_only_the_changed_field()
    {
        var output = await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/");

        Assert.Contains("remote.packyard.io/quickstart-upstream created", output, StringComparison.Ordinal);
        Assert.Contains("repository.packyard.io/quickstart created", output, StringComparison.Ordinal);
        Assert.Contains("distribution.packyard.io/quickstart created", output, StringComparison.Ordinal);
        Assert.Contains("unchanged", await kubectl.SucceedAsync("apply", "-f", "examples/files-quickstart/"), StringComparison.Ordinal);

        // Someone else's change (a sync request) that the manifest does not mention survives the re-apply: kubectl sends a patch, not the whole object.
        await kubectl.SucceedAsync("annotate", "repository", "quickstart", "packyard.io/requested-at=keep-me");
        var mark = environment.Audit.Mark();
        var changed = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples/files-quickstart/quickstart.yaml"))
            .Replace("retainVersions: 10", "retainVersions: 3", StringComparison.Ordinal);
        var file = directory.Write("quickstart.yaml", changed);
        Assert.Contains("repository.packyard.io/quickstart configured", await kubectl.SucceedAsync("apply", "-f", file), StringComparison.Ordinal);

        var repository = await GetJsonAsync("repository", "quickstart");
        Assert.Equal("3", repository["spec"]!["retainVersions"]!.ToJsonString());
        Assert.Equal("2", repository["metadata"]!["generation"]!.ToJsonString());
        Assert.Equal("keep-me", (string?)repository["metadata"]!["annotations"]!["packyard.io/requested-at"]);
        Assert.Contains("\"retainVersions\":3", (string?)repository["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"], StringComparison.Ordinal);
        Assert.Contains(Managers(repository), m => m == "kubectl-client-side-apply/Update");
        var writes = environment.Audit.Since(mark).Where(e => e.IsWrite && e.Namespace == ns && e.Name == "quickstart").Select(e => $"{e.Verb} {e.Resource} {e.Code}").ToList();
        Assert.Equal(["patch repositories 200"], writes);
    }

    [Fact]
    public async Task Server_side_apply_records_its_field_manager_and_reports_conflicts_with_other_managers()
    {
        var created = await kubectl.SucceedAsync("apply", "--server-side", "--field-manager=gitops", "-f", "examples/files-quickstart/");
        var quickstart = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples/files-quickstart/quickstart.yaml"));
        var updated = await kubectl.SucceedAsync("apply", "--server-side", "--field-manager=gitops", "-f",
            directory.Write("quickstart.yaml", quickstart.Replace("retainVersions: 10", "retainVersions: 4", StringComparison.Ordinal)));

        Assert.Contains("repository.packyard.io/quickstart serverside-applied", created, StringComparison.Ordinal);
        Assert.Contains("repository.packyard.io/quickstart serverside-applied", updated, StringComparison.Ordinal);
        var repository = await GetJsonAsync("repository", "quickstart");
        Assert.Equal("4", repository["spec"]!["retainVersions"]!.ToJsonString());
        Assert.Equal(["gitops/Apply"], Managers(repository));
        var owned = ((JsonArray)repository["metadata"]!["managedFields"]!).Single()!["fieldsV1"]!["f:spec"]!.AsObject();
        Assert.True(owned.ContainsKey("f:retainVersions") && owned.ContainsKey("f:remoteRef"), owned.ToJsonString());

        // Another manager applying another value for a field gitops owns is refused, naming the owner and the field.
        var other = directory.Write("other.yaml", quickstart.Replace("retainVersions: 10", "retainVersions: 5", StringComparison.Ordinal));
        var conflict = await kubectl.RunAsync("apply", "--server-side", "--field-manager=someone-else", "-f", other);
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"gitops\": .spec.retainVersions", conflict.Error, StringComparison.Ordinal);
        Assert.Equal("4", await kubectl.SucceedAsync("get", "repository", "quickstart", "-o", "jsonpath={.spec.retainVersions}"));

        // A merge patch changes just that field and makes kubectl-patch its manager; gitops re-applying conflicts, --force-conflicts takes it back.
        await kubectl.SucceedAsync("patch", "repository", "quickstart", "--type=merge", "-p", """{"spec":{"retainVersions":7}}""");
        var patched = await GetJsonAsync("repository", "quickstart");
        Assert.Equal(("7", "quickstart-upstream"), (patched["spec"]!["retainVersions"]!.ToJsonString(), (string?)patched["spec"]!["remoteRef"]!["name"]));
        Assert.Equal(["gitops/Apply", "kubectl-patch/Update"], Managers(patched));
        var reapplied = await kubectl.RunAsync("apply", "--server-side", "--field-manager=gitops", "-f", directory.Path + "/quickstart.yaml");
        Assert.Contains("conflict with \"kubectl-patch\"", reapplied.Error, StringComparison.Ordinal);
        await kubectl.SucceedAsync("apply", "--server-side", "--field-manager=gitops", "--force-conflicts", "-f", directory.Path + "/quickstart.yaml");
        Assert.Equal("4", await kubectl.SucceedAsync("get", "repository", "quickstart", "-o", "jsonpath={.spec.retainVersions}"));
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
        await kubectl.SucceedAsync("apply", "-f", directory.Write("remote.yaml", string.Format(CultureInfo.InvariantCulture, Remote, "OnDemand")));

        var output = await kubectl.SucceedAsync("get", "remote", "upstream", "-o", "yaml");

        Assert.Contains("uid: ", output, StringComparison.Ordinal);
        Assert.Contains("generation: 1", output, StringComparison.Ordinal);
        Assert.Contains("resourceVersion: ", output, StringComparison.Ordinal);
        Assert.Contains("downloadConcurrency: 8", output, StringComparison.Ordinal);
        Assert.Contains("timeout: 5m", output, StringComparison.Ordinal);
        Assert.Contains("policy: OnDemand", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_describes_the_fields_of_a_Repository_spec_from_the_CRD_schema()
    {
        var output = await kubectl.SucceedAsync("explain", "repository.spec");

        Assert.Contains("KIND:       Repository", output, StringComparison.Ordinal);
        Assert.Matches(@"retainVersions\s+<integer>\s+Keep the newest N versions", output);
        Assert.Matches(@"type\s+<string> -required-", output);
        Assert.Contains("remoteRef", output, StringComparison.Ordinal);
        Assert.Matches(@"FIELD:\s+timeout\s+<string>", await kubectl.SucceedAsync("explain", "remote.spec.timeout"));
    }

    [Fact]
    public async Task Annotate_changes_metadata_without_bumping_the_generation()
    {
        await kubectl.SucceedAsync("apply", "-f", directory.Write("remote.yaml", string.Format(CultureInfo.InvariantCulture, Remote, "Immediate")));

        await kubectl.SucceedAsync("annotate", "remote", "upstream", "packyard.io/requested-at=now");

        var output = await kubectl.SucceedAsync("get", "prem", "upstream", "-o", "jsonpath={.metadata.annotations.packyard\\.io/requested-at} {.metadata.generation}");
        Assert.Equal("now 1", output);
    }

    [Fact]
    public async Task Delete_of_an_object_with_a_finalizer_marks_it_and_removing_the_finalizer_removes_it()
    {
        await kubectl.SucceedAsync("apply", "-f", directory.Write("remote.yaml", string.Format(CultureInfo.InvariantCulture, Remote, "Immediate")));
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
        var file = directory.Write("remote.yaml", string.Format(CultureInfo.InvariantCulture, Remote, "Bogus"));

        var result = await kubectl.RunAsync("apply", "-f", file);
        var serverSide = await kubectl.RunAsync("apply", "--server-side", "-f", file);

        foreach (var rejected in new[] { result, serverSide })
        {
            Assert.NotEqual(0, rejected.ExitCode);
            Assert.Contains("The Remote \"upstream\" is invalid", rejected.Error, StringComparison.Ordinal);
            Assert.Contains("""* spec.policy: Unsupported value: "Bogus": supported values: "Immediate", "OnDemand", "Streamed" """.TrimEnd(), rejected.Error, StringComparison.Ordinal);
        }

        Assert.Contains("NotFound", (await kubectl.RunAsync("get", "remote", "upstream")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_of_an_unknown_field_is_rejected_by_strict_field_validation()
    {
        var file = directory.Write("remote.yaml", string.Format(CultureInfo.InvariantCulture, Remote, "Immediate") + "\n  bogus: 1\n");

        var result = await kubectl.RunAsync("apply", "-f", file);
        var serverSide = await kubectl.RunAsync("apply", "--server-side", "-f", file);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Error from server (BadRequest)", result.Error, StringComparison.Ordinal);
        Assert.Contains("""Remote in version "v1alpha1" cannot be handled as a Remote: strict decoding error: unknown field "spec.bogus" """.TrimEnd(), result.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, serverSide.ExitCode);
        Assert.Contains(".spec.bogus: field not declared in schema", serverSide.Error, StringComparison.Ordinal);
        Assert.Contains("NotFound", (await kubectl.RunAsync("get", "remote", "upstream")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_for_condition_Ready_succeeds_once_a_client_merge_patches_a_Ready_status()
    {
        await kubectl.SucceedAsync("apply", "-f", directory.Write("remote.yaml", string.Format(CultureInfo.InvariantCulture, Remote, "Immediate")));
        var wait = kubectl.RunAsync("wait", "--for=condition=Ready", "remote/upstream", "--timeout=30s");
        await Task.Delay(1000);
        Assert.False(wait.IsCompleted);

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
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/apis/packyard.io/v1alpha1/namespaces/{ns}/remotes/upstream/status?fieldManager=packyard")
        {
            Content = new StringContent(status.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await environment.Http.SendAsync(request);
        var patched = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.True(response.IsSuccessStatusCode, patched.ToJsonString());
        Assert.Equal("True", (string?)patched["status"]!["conditions"]![0]!["status"]);
        Assert.Equal("https://example.com/files/", (string?)patched["spec"]!["url"]);
        var result = await wait;
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("remote.packyard.io/upstream condition met", result.Output, StringComparison.Ordinal);
        Assert.Equal("1", await kubectl.SucceedAsync("get", "remote", "upstream", "-o", "jsonpath={.metadata.generation}"));
    }

    private async Task<JsonNode> GetJsonAsync(string kind, string name) =>
        JsonNode.Parse(await kubectl.SucceedAsync("get", kind, name, "-o", "json", "--show-managed-fields"))!;

    /// <summary>The object's field managers as <c>manager/operation</c>, in order.</summary>
    private static List<string> Managers(JsonNode item) =>
        ((JsonArray)item["metadata"]!["managedFields"]!).Select(f => $"{(string?)f!["manager"]}/{(string?)f["operation"]}").Order(StringComparer.Ordinal).ToList();
}
