using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// CustomResourceDefinitions on the real API server, over plain HTTP and with kubectl: the four loaded from <c>crds/</c> are
/// Established; their schema and CEL rules answer with the server's own codes and messages; a CRD of the test's own
/// (a group unique to the test, deleted afterwards) changes what the server serves when it is applied, changed or deleted.
/// </summary>
public sealed class KubernetesCrdTests : IAsyncLifetime
{
    private readonly TemporaryDirectory directory = new();
    private readonly string group = $"t{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.example.com";
    private KubernetesEnvironment environment = null!;
    private string ns = null!;
    private Kubectl kubectl = null!;

    private string WidgetCrd => $"widgets.{group}";

    public async Task InitializeAsync()
    {
        environment = await KubernetesEnvironment.GetSharedAsync();
        ns = await environment.CreateNamespaceAsync("crd");
        kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "kubeconfig"), ns));
    }

    public async Task DisposeAsync()
    {
        // The CRD is cluster-scoped on a shared server: leave nothing behind.
        await kubectl.RunAsync("delete", "crd", WidgetCrd, "--ignore-not-found", "--wait=false");
        kubectl.Dispose();
        directory.Dispose();
    }

    [Fact]
    public async Task The_four_packyard_crds_are_listed_established_with_their_stored_version()
    {
        var list = await environment.SendAsync(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");

        var packyard = list!["items"]!.AsArray().Where(c => (string?)c!["spec"]!["group"] == "packyard.io").ToList();
        Assert.Equal(["distributions.packyard.io", "promotions.packyard.io", "remotes.packyard.io", "repositories.packyard.io"],
            packyard.Select(c => (string?)c!["metadata"]!["name"]).Order(StringComparer.Ordinal));
        Assert.All(packyard, crd =>
        {
            Assert.Contains(crd!["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Established" && (string?)c["status"] == "True");
            Assert.Equal("[\"v1alpha1\"]", crd["status"]!["storedVersions"]!.ToJsonString());
            Assert.Equal("Namespaced", (string?)crd["spec"]!["scope"]);
        });
    }

    [Fact]
    public async Task Get_returns_the_crd_with_its_schema_and_printer_columns()
    {
        var crd = (await environment.SendAsync(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/repositories.packyard.io"))!;

        var version = Assert.Single(crd["spec"]!["versions"]!.AsArray())!;
        Assert.Equal(("Repository", "prepo"), ((string?)crd["spec"]!["names"]!["kind"], (string?)crd["spec"]!["names"]!["shortNames"]![0]));
        Assert.Equal(("v1alpha1", true, true), ((string?)version["name"], (bool)version["served"]!, (bool)version["storage"]!));
        Assert.Equal("object", (string?)version["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["type"]);
        Assert.NotEmpty(version["additionalPrinterColumns"]!.AsArray());
        Assert.NotNull(version["subresources"]!["status"]);
        Assert.Equal("RepositoryList", (string?)crd["status"]!["acceptedNames"]!["listKind"]);
    }

    [Fact]
    public async Task Schema_errors_and_CEL_rule_errors_are_422_Invalid_with_one_cause_per_field()
    {
        // A schema bound and a CEL rule on two fields: both reported.
        var (code, status) = await CreateRemoteAsync("""{"type":"file","url":"https://example.com/","downloadConcurrency":100,"rateLimit":0}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Equal(
            [
                "FieldValueInvalid spec.downloadConcurrency Invalid value: 100: spec.downloadConcurrency in body should be less than or equal to 64",
                "FieldValueInvalid spec.rateLimit Invalid value: 0: spec.rateLimit must be between 0.001 and 1000000 requests per second (omit it for no limit)",
            ], Causes(status));

        // An enum violation: the server skips every CEL rule and says so (rateLimit 0 is not reported).
        (code, status) = await CreateRemoteAsync("""{"type":"file","url":"https://example.com/","policy":"Bogus","rateLimit":0}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal(
            [
                "FieldValueInvalid <nil> Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
                """FieldValueNotSupported spec.policy Unsupported value: "Bogus": supported values: "Immediate", "OnDemand", "Streamed" """.TrimEnd(),
            ], Causes(status));

        // A duration the schema's pattern accepts but the CEL rule does not.
        (code, status) = await CreateRemoteAsync("""{"type":"file","url":"https://example.com/","timeout":"2000h"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("""Remote.packyard.io "bad" is invalid: spec.timeout: Invalid value: "2000h": spec.timeout must be between 1s and 24h""", (string?)status["message"]);

        // An unknown field under strict field validation is a decoding error: 400 BadRequest, no causes.
        (code, status) = await CreateRemoteAsync("""{"type":"file","url":"https://example.com/","bogus":1}""", "?fieldValidation=Strict");
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal(("BadRequest", """Remote in version "v1alpha1" cannot be handled as a Remote: strict decoding error: unknown field "spec.bogus" """.TrimEnd()),
            ((string?)status["reason"], (string?)status["message"]));
        Assert.Contains("NotFound", (await kubectl.RunAsync("get", "remote", "bad")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transition_rule_keeps_spec_type_immutable_and_dry_run_changes_nothing()
    {
        var (code, _) = await CreateRemoteAsync("""{"type":"file","url":"https://example.com/"}""", name: "fixed");
        Assert.Equal(HttpStatusCode.Created, code);

        var (changed, status) = await SendAsync(HttpMethod.Patch, $"/apis/packyard.io/v1alpha1/namespaces/{ns}/remotes/fixed", """{"spec":{"type":"python"}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, changed);
        Assert.Equal(["FieldValueInvalid spec.type Invalid value: \"python\": spec.type is immutable"], Causes(status));

        // Server-side dry run: validated and answered as if written, but nothing is stored.
        var (dryRun, answer) = await SendAsync(HttpMethod.Patch, $"/apis/packyard.io/v1alpha1/namespaces/{ns}/remotes/fixed?dryRun=All", """{"spec":{"url":"https://example.org/"}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, dryRun);
        Assert.Equal("https://example.org/", (string?)answer["spec"]!["url"]);
        (dryRun, _) = await CreateRemoteAsync("""{"type":"file","url":"https://example.com/"}""", "?dryRun=All", "dry");
        Assert.Equal(HttpStatusCode.Created, dryRun);
        Assert.Equal("https://example.com/ 1", await kubectl.SucceedAsync("get", "remote", "fixed", "-o", "jsonpath={.spec.url} {.metadata.generation}"));
        Assert.Contains("NotFound", (await kubectl.RunAsync("get", "remote", "dry")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Applying_a_new_crd_serves_its_kind_with_validation()
    {
        var applied = await ApplyWidgetCrdAsync(["size"]);
        var created = await kubectl.SucceedAsync("apply", "-o", "name", "-f", WriteWidget("small", "size: 3"));
        var invalid = await kubectl.RunAsync("apply", "-f", WriteWidget("huge", "size: \"big\""));

        Assert.Contains($"customresourcedefinition.apiextensions.k8s.io/{WidgetCrd}", applied, StringComparison.Ordinal);
        Assert.Equal($"widget.{group}/small", created.Trim());
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("""The Widget "huge" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string" """.TrimEnd(), invalid.Error, StringComparison.Ordinal);
        Assert.Contains("widgets", await kubectl.SucceedAsync("api-resources", $"--api-group={group}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_a_crd_schema_changes_what_the_server_keeps()
    {
        await ApplyWidgetCrdAsync(["size"]);
        await kubectl.SucceedAsync("apply", "--validate=false", "-f", WriteWidget("first", "size: 1\n  colour: red"));
        var pruned = await kubectl.SucceedAsync("get", $"widgets.{group}", "first", "-o", "jsonpath={.spec}");

        await ApplyWidgetCrdAsync(["size", "colour"]);
        // The server swaps in the new schema shortly after the CRD changes: bounded retries until it keeps the field.
        var kept = "";
        for (var attempt = 0; attempt < 50 && !kept.Contains("blue", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 200);
            await kubectl.SucceedAsync("apply", "--validate=false", "-f", WriteWidget("second", "size: 2\n  colour: blue"));
            kept = await kubectl.SucceedAsync("get", $"widgets.{group}", "second", "-o", "jsonpath={.spec}");
        }

        Assert.Equal("""{"size":1}""", pruned);
        Assert.Equal("""{"colour":"blue","size":2}""", kept);
    }

    [Fact]
    public async Task Deleting_a_crd_deletes_its_objects_and_stops_serving_the_kind()
    {
        await ApplyWidgetCrdAsync(["size"]);
        await kubectl.SucceedAsync("apply", "-f", WriteWidget("doomed", "size: 1"));

        await kubectl.SucceedAsync("delete", "crd", WidgetCrd, "--timeout=60s");

        var (code, _) = await SendAsync(HttpMethod.Get, $"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{WidgetCrd}");
        Assert.Equal(HttpStatusCode.NotFound, code);
        // The group is no longer routed at all: the mux's plain 404, not a Status about one missing object.
        (code, var body) = await SendAsync(HttpMethod.Get, $"/apis/{group}/v1/namespaces/{ns}/widgets/doomed");
        Assert.Equal((HttpStatusCode.NotFound, "404 page not found"), (code, body.GetValue<string>().Trim()));
        var get = await kubectl.RunAsync("get", $"widgets.{group}");
        Assert.NotEqual(0, get.ExitCode);
        Assert.Contains("the server doesn't have a resource type", get.Error, StringComparison.Ordinal);

        // The objects went with it: the same CRD applied again serves an empty kind.
        await ApplyWidgetCrdAsync(["size"]);
        Assert.Equal("", await kubectl.SucceedAsync("get", $"widgets.{group}", "-o", "name"));
    }

    [Fact]
    public async Task A_crd_whose_name_is_not_plural_dot_group_is_invalid()
    {
        var crd = WidgetCrdJson(["size"]);
        crd["metadata"]!["name"] = $"widget.{group}";

        var (code, status) = await SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd.ToJsonString());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal($"CustomResourceDefinition.apiextensions.k8s.io \"widget.{group}\" is invalid: metadata.name: Invalid value: \"widget.{group}\": must be spec.names.plural+\".\"+spec.group",
            (string?)status["message"]);
    }

    private Task<(HttpStatusCode Code, JsonNode Body)> CreateRemoteAsync(string spec, string query = "", string name = "bad") =>
        SendAsync(HttpMethod.Post, $"/apis/packyard.io/v1alpha1/namespaces/{ns}/remotes{query}",
            $$"""{"apiVersion":"packyard.io/v1alpha1","kind":"Remote","metadata":{"name":"{{name}}"},"spec":{{spec}}}""");

    private async Task<(HttpStatusCode Code, JsonNode Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await environment.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        // A path the server does not route at all (an API group no longer served) answers plain text.
        return (response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text)! : JsonValue.Create(text));
    }

    /// <summary>A Status's causes as <c>reason field message</c>, sorted.</summary>
    private static List<string> Causes(JsonNode status) =>
        status["details"]!["causes"]!.AsArray().Select(c => $"{(string?)c!["reason"]} {(string?)c["field"]} {(string?)c["message"]}").Order(StringComparer.Ordinal).ToList();

    private async Task<string> ApplyWidgetCrdAsync(IReadOnlyList<string> properties)
    {
        var output = await kubectl.SucceedAsync("apply", "--server-side", "--field-manager=packyard-tests", "-f", directory.Write("crd.json", WidgetCrdJson(properties).ToJsonString()));
        await kubectl.SucceedAsync("wait", "--for=condition=Established", "--timeout=30s", $"crd/{WidgetCrd}");
        return output;
    }

    private string WriteWidget(string name, string spec) => directory.Write($"{name}.yaml", $"""
        apiVersion: {group}/v1
        kind: Widget
        metadata:
          name: {name}
        spec:
          {spec}
        """);

    private JsonObject WidgetCrdJson(IReadOnlyList<string> properties)
    {
        var specProperties = new JsonObject();
        foreach (var property in properties)
        {
            specProperties[property] = new JsonObject { ["type"] = property == "size" ? "integer" : "string" };
        }

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = WidgetCrd },
            ["spec"] = new JsonObject
            {
                ["group"] = group,
                ["scope"] = "Namespaced",
                ["names"] = new JsonObject { ["kind"] = "Widget", ["listKind"] = "WidgetList", ["plural"] = "widgets", ["singular"] = "widget" },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = "v1",
                    ["served"] = true,
                    ["storage"] = true,
                    ["schema"] = new JsonObject
                    {
                        ["openAPIV3Schema"] = new JsonObject
                        {
                            ["type"] = "object",
                            ["properties"] = new JsonObject { ["spec"] = new JsonObject { ["type"] = "object", ["properties"] = specProperties } },
                        },
                    },
                }),
            },
        };
    }
}
