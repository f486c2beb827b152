using System.Text.Json;
using Packyard.Manifests;
using Packyard.Manifests.Crds;

using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Manifests;

public sealed class CrdGeneratorTests
{
    private static CustomResourceDefinition Remote => CrdGenerator.Generate().Single(crd => crd.Spec.Names.Kind == "Remote");

    private static JsonSchemaProps RemoteSpec => Remote.Spec.Versions.Single().Schema.OpenApiV3Schema.Properties!["spec"];

    [Fact]
    public void Crds_directory_is_up_to_date()
    {
        using var temporary = new TemporaryDirectory();
        CrdGenerator.WriteAll(temporary.Path);
        var committed = Path.Combine(RepositoryRoot.Path, "crds");
        const string fix = "crds/ is out of date with Packyard.Api; run `dotnet run --project operator/Packyard -- crds --output crds/` and commit the result.";

        var generatedNames = Directory.GetFiles(temporary.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var committedNames = Directory.GetFiles(committed, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.True(generatedNames.SequenceEqual(committedNames), $"{fix} Generated: {string.Join(", ", generatedNames)}; committed: {string.Join(", ", committedNames)}.");
        foreach (var name in generatedNames)
        {
            var expected = File.ReadAllBytes(Path.Combine(temporary.Path, name!));
            var actual = File.ReadAllBytes(Path.Combine(committed, name!));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{name} differs. {fix}");
        }
    }

    [Fact]
    public void One_crd_per_kind_is_generated_with_names_scope_and_one_served_storage_version()
    {
        var crds = CrdGenerator.Generate();

        Assert.Equal(["distributions", "promotions", "remotes", "repositories"], crds.Select(crd => crd.Spec.Names.Plural));
        Assert.All(crds, crd =>
        {
            Assert.Equal("packyard.io", crd.Spec.Group);
            Assert.Equal("Namespaced", crd.Spec.Scope);
            Assert.Equal(crd.Spec.Names.Plural + ".packyard.io", crd.Metadata.Name);
            Assert.Equal(crd.Spec.Names.Kind.ToLowerInvariant(), crd.Spec.Names.Singular);
            Assert.Equal(crd.Spec.Names.Kind + "List", crd.Spec.Names.ListKind);
            var version = Assert.Single(crd.Spec.Versions);
            Assert.Equal(("v1alpha1", true, true), (version.Name, version.Served, version.Storage));
            Assert.Equal("object", version.Schema.OpenApiV3Schema.Properties!["metadata"].Type);
            Assert.Null(version.Schema.OpenApiV3Schema.Properties!["metadata"].Properties);
        });
    }

    [Fact]
    public void Remote_crd_has_short_name_category_and_status_subresource()
    {
        Assert.Equal(["prem"], Remote.Spec.Names.ShortNames!);
        Assert.Equal(["packyard"], Remote.Spec.Names.Categories!);
        Assert.NotNull(Remote.Spec.Versions.Single().Subresources?.Status);
    }

    [Fact]
    public void Remote_crd_has_printer_columns_in_declaration_order()
    {
        var columns = Remote.Spec.Versions.Single().AdditionalPrinterColumns!;

        Assert.Equal(["Type", "URL", "Policy", "Ready", "Age"], columns.Select(column => column.Name));
        Assert.Equal(".status.conditions[?(@.type==\"Ready\")].status", columns[3].JsonPath);
        Assert.Equal("date", columns[4].Type);
    }

    [Fact]
    public void Remote_policy_is_an_enum_with_a_default()
    {
        var policy = RemoteSpec.Properties!["policy"];

        Assert.Equal("string", policy.Type);
        Assert.Equal(["Immediate", "OnDemand", "Streamed"], policy.Enum!);
        Assert.Equal("Immediate", policy.Default);
    }

    [Fact]
    public void Remote_type_is_required_immutable_and_uses_json_enum_names()
    {
        var type = RemoteSpec.Properties!["type"];

        Assert.Contains("type", RemoteSpec.Required!);
        Assert.Equal(["file", "python", "deb", "rpm", "container"], type.Enum!);
        var rule = Assert.Single(type.XKubernetesValidations!);
        Assert.Equal(new SchemaValidationRule("self == oldSelf", "spec.type is immutable"), rule);
    }

    [Fact]
    public void Class_validation_rules_are_on_the_object_schema()
    {
        var rules = RemoteSpec.XKubernetesValidations!;

        Assert.Equal(5, rules.Count);
        Assert.Contains(rules, rule => rule.Rule == "self.type == 'deb' || !has(self.deb)");
    }

    [Fact]
    public void Bounds_patterns_formats_and_maps_are_carried_into_the_schema()
    {
        var concurrency = RemoteSpec.Properties!["downloadConcurrency"];
        Assert.Equal(("integer", "int32", 1d, 64d, (object?)8), (concurrency.Type, concurrency.Format, concurrency.Minimum, concurrency.Maximum, concurrency.Default));
        Assert.Equal("number", RemoteSpec.Properties!["rateLimit"].Type);
        Assert.StartsWith("^", RemoteSpec.Properties!["timeout"].Pattern);
        Assert.Equal(1, RemoteSpec.Properties!["authSecretRef"].Properties!["name"].MinLength);

        var repository = CrdGenerator.Generate().Single(crd => crd.Spec.Names.Kind == "Repository").Spec.Versions.Single().Schema.OpenApiV3Schema;
        var status = repository.Properties!["status"].Properties!;
        Assert.Equal(("string", "date-time"), (status["nextSyncTime"].Type, status["nextSyncTime"].Format));
        Assert.Equal("int64", status["latestVersion"].Format);
        Assert.Equal(["True", "False", "Unknown"], status["conditions"].Items!.Properties!["status"].Enum!);
    }

    [Fact]
    public void Generated_yaml_starts_with_the_header_and_uses_kubernetes_key_names()
    {
        var yaml = CrdGenerator.ToYaml(Remote);

        Assert.StartsWith(CrdGenerator.Header + "\n", yaml);
        Assert.Contains("openAPIV3Schema:", yaml);
        Assert.Contains("x-kubernetes-validations:", yaml);
        Assert.Contains("status: {}", yaml);
        Assert.DoesNotContain("\r", yaml);
    }

    [Fact]
    public void Crd_serializes_to_json_with_the_source_generated_context()
    {
        var json = JsonSerializer.Serialize(Remote, ManifestJsonContext.Default.CustomResourceDefinition);

        Assert.Contains("\"openAPIV3Schema\"", json);
        Assert.Contains("\"x-kubernetes-validations\"", json);
        Assert.Contains("\"default\":8", json);
    }
}
