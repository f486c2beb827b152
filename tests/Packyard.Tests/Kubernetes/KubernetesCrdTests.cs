using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Packyard.ControllerRuntime;
using Packyard.Tests.Kubernetes.ApiServer;

namespace Packyard.Tests.Kubernetes;

/// <summary>
/// CustomResourceDefinitions through the client: the four loaded from <c>crds/</c> are stored and Established, and
/// applying, changing or deleting a CRD changes what the test API server serves, as with a real server.
/// </summary>
public sealed class KubernetesCrdTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly PatchOptions Apply = new() { FieldManager = "packyard", Force = true };
    private readonly Infrastructure.TemporaryDirectory directory = new();
    private ApiServerSession session = null!;
    private TestApiServer server = null!;
    private ResourceClient client = null!;

    public async Task InitializeAsync()
    {
        session = await ApiServerSession.StartAsync();
        (server, client) = (session.Server, session.Client);
    }

    public async Task DisposeAsync()
    {
        directory.Dispose();
        await session.DisposeAsync();
    }

    [Fact]
    public async Task The_four_packyard_crds_are_listed_established_with_their_stored_version()
    {
        var crds = await client.ListAsync(KubernetesKinds.CustomResourceDefinition, null, null, None);

        var packyard = crds.Items.Where(c => c.Spec.Group == "packyard.io").ToList();
        Assert.Equal(["distributions.packyard.io", "promotions.packyard.io", "remotes.packyard.io", "repositories.packyard.io"],
            packyard.Select(c => c.Metadata.Name));
        Assert.All(packyard, crd =>
        {
            Assert.True(IsEstablished(crd));
            Assert.Equal(["v1alpha1"], crd.Status!.StoredVersions!);
            Assert.Equal("Namespaced", crd.Spec.Scope);
        });
    }

    [Fact]
    public async Task Get_returns_the_crd_with_its_schema_and_printer_columns()
    {
        var crd = await client.GetAsync(KubernetesKinds.CustomResourceDefinition, null, "repositories.packyard.io", None);

        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal(("Repository", "prepo"), (crd.Spec.Names.Kind, crd.Spec.Names.ShortNames![0]));
        Assert.True(version is { Name: "v1alpha1", Served: true, Storage: true });
        Assert.Equal("object", version.Schema!.OpenAPIV3Schema!.Properties["spec"].Type);
        Assert.NotEmpty(version.AdditionalPrinterColumns!);
        Assert.NotNull(version.Subresources!.Status);
        Assert.Equal("RepositoryList", crd.Status!.AcceptedNames!.ListKind);
    }

    [Fact]
    public async Task Applying_a_new_crd_serves_its_kind_with_validation()
    {
        var applied = await ApplyAsync(Widget(["size"]));
        using var kubectl = new Kubectl(server);

        var created = await kubectl.SucceedAsync("apply", "-o", "name", "-f", WriteWidget("small", "size: 3"));
        var invalid = await kubectl.RunAsync("apply", "-f", WriteWidget("huge", "size: \"big\""));

        Assert.True(IsEstablished(applied));
        Assert.Equal("widget.example.com/small", created.Trim());
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("widgets", await kubectl.SucceedAsync("api-resources", "--api-group=example.com"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_a_crd_schema_changes_what_the_server_keeps()
    {
        await ApplyAsync(Widget(["size"]));
        var widgets = server.Resource("example.com", "widgets");
        using var kubectl = new Kubectl(server);
        await kubectl.SucceedAsync("apply", "--validate=false", "-f", WriteWidget("first", "size: 1\n  colour: red"));
        var pruned = server.Store.Get(widgets, "default", "first")!;

        await ApplyAsync(Widget(["size", "colour"]));
        await kubectl.SucceedAsync("apply", "-f", WriteWidget("second", "size: 2\n  colour: blue"));
        var kept = server.Store.Get(server.Resource("example.com", "widgets"), "default", "second")!;

        Assert.Null(pruned["spec"]!["colour"]);
        Assert.Equal("blue", kept["spec"]!["colour"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_crd_deletes_its_objects_and_stops_serving_the_kind()
    {
        await ApplyAsync(Widget(["size"]));
        using var kubectl = new Kubectl(server);
        await kubectl.SucceedAsync("apply", "-f", WriteWidget("doomed", "size: 1"));

        await client.DeleteAsync(KubernetesKinds.CustomResourceDefinition, null, "widgets.example.com", None);

        Assert.DoesNotContain(server.Resources, r => r.Group == "example.com");
        Assert.Null(await client.TryGetAsync(KubernetesKinds.CustomResourceDefinition, null, "widgets.example.com", None));
        Assert.NotEqual(0, (await kubectl.RunAsync("get", "widgets")).ExitCode);
    }

    [Fact]
    public async Task A_crd_whose_name_is_not_plural_dot_group_is_invalid()
    {
        var crd = Widget(["size"]);
        crd.Metadata.Name = "widget.example.com";

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => client.CreateAsync(KubernetesKinds.CustomResourceDefinition, crd, None));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.StatusCode);
        Assert.Equal("CustomResourceDefinition.apiextensions.k8s.io \"widget.example.com\" is invalid: metadata.name: Invalid value: \"widget.example.com\": must be spec.names.plural+\".\"+spec.group",
            error.Status.Message);
    }

    private string WriteWidget(string name, string spec) => directory.Write($"{name}.yaml", $"""
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: {name}
          namespace: default
        spec:
          {spec}
        """);

    private Task<V1CustomResourceDefinition> ApplyAsync(V1CustomResourceDefinition crd) =>
        client.PatchAsync(KubernetesKinds.CustomResourceDefinition, null, crd.Metadata.Name!, KubernetesPatch.Apply(KubernetesJson.Serialize(crd)), Apply, None);

    private static bool IsEstablished(V1CustomResourceDefinition crd) =>
        crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;

    private static V1CustomResourceDefinition Widget(IReadOnlyList<string> properties)
    {
        var specProperties = new Dictionary<string, V1JSONSchemaProps>();
        foreach (var property in properties)
        {
            specProperties[property] = new V1JSONSchemaProps { Type = property == "size" ? "integer" : "string" };
        }

        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta { Name = "widgets.example.com" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "example.com",
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Kind = "Widget", Plural = "widgets", Singular = "widget" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = "v1",
                        Served = true,
                        Storage = true,
                        Schema = new V1CustomResourceValidation
                        {
                            OpenAPIV3Schema = new V1JSONSchemaProps
                            {
                                Type = "object",
                                Properties = new Dictionary<string, V1JSONSchemaProps> { ["spec"] = new V1JSONSchemaProps { Type = "object", Properties = specProperties } },
                            },
                        },
                    },
                ],
            },
        };
    }
}
