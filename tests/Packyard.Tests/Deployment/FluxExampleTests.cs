using System.Text.Json.Nodes;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Kubernetes;
using Packyard.Tests.Kubernetes.Envtest;

namespace Packyard.Tests.Deployment;

/// <summary>
/// <c>examples/flux</c>: the operator Kustomization installs <c>config/default</c> and waits for it; the packages
/// Kustomization health-checks every Packyard object its folder renders, and those objects apply to the run's real API
/// server (valid against the CRDs). The packages go to the fixed namespace <c>packages</c>: this is the only class that uses it.
/// </summary>
public sealed class FluxExampleTests : IAsyncLifetime
{
    private readonly TemporaryDirectory directory = new();
    private Kubectl kubectl = null!;

    public async Task InitializeAsync()
    {
        var environment = await KubernetesEnvironment.GetSharedAsync();
        kubectl = new Kubectl(environment.WriteKubeconfig(Path.Combine(directory.Path, "admin.kubeconfig")));
    }

    public Task DisposeAsync()
    {
        kubectl.Dispose();
        directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void The_operator_kustomization_applies_config_default_and_waits_for_it()
    {
        var operatorKustomization = Kustomization("packyard-operator");

        Assert.Equal("./config/default", operatorKustomization["spec"]!["path"]!.GetValue<string>());
        Assert.True(Directory.Exists(Path.Combine(RepositoryRoot.Path, "config", "default")));
        Assert.True(operatorKustomization["spec"]!["wait"]!.GetValue<bool>());
        Assert.True(operatorKustomization["spec"]!["prune"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_packages_kustomization_health_checks_exactly_the_packyard_objects_it_applies()
    {
        var packages = Kustomization("packyard-packages");
        var rendered = YamlJson.ParseAll(await kubectl.SucceedAsync("kustomize", packages["spec"]!["path"]!.GetValue<string>()));

        var applied = rendered.Where(o => o!["apiVersion"]!.GetValue<string>().StartsWith("packyard.io/", StringComparison.Ordinal)).Select(Key).Order(StringComparer.Ordinal);
        var checkedObjects = packages["spec"]!["healthChecks"]!.AsArray().Select(Key).Order(StringComparer.Ordinal);

        Assert.Equal(applied, checkedObjects);
        Assert.Equal("packyard-operator", packages["spec"]!["dependsOn"]![0]!["name"]!.GetValue<string>());
        Assert.Null(packages["spec"]!["wait"]);
    }

    [Fact]
    public async Task The_packages_apply_to_the_api_server()
    {
        var output = await kubectl.SucceedAsync("apply", "-k", "examples/flux/packages");

        Assert.Contains("namespace/packages created", output, StringComparison.Ordinal);
        Assert.Contains("repository.packyard.io/python-prod created", output, StringComparison.Ordinal);
        Assert.Contains("promotion.packyard.io/python-dev-to-prod created", output, StringComparison.Ordinal);
        // Nothing reconciles them here (no operator watches that namespace): the API server alone accepted every object.
        Assert.Equal(6, (await kubectl.SucceedAsync("get", "packyard", "-n", "packages", "-o", "name")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static string Key(JsonNode? item) =>
        $"{item!["apiVersion"]}/{item["kind"]} {item["namespace"] ?? item["metadata"]?["namespace"]}/{item["name"] ?? item["metadata"]?["name"]}";

    private static JsonObject Kustomization(string name) =>
        YamlJson.ParseAll(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "flux", "flux.yaml")))
            .Single(o => o!["kind"]!.GetValue<string>() == "Kustomization" && o["metadata"]!["name"]!.GetValue<string>() == name)!
            .AsObject();
}
