using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Architecture;

/// <summary>No layer references upward (<see cref="ProjectLayering"/> holds the table), read from the csproj files and from the built assemblies.</summary>
public sealed class ProjectLayeringTests
{
    private static string OperatorFolder => Path.Combine(RepositoryRoot.Path, "operator");

    [Fact]
    public void No_project_references_a_layer_above_it()
    {
        var graph = ProjectLayering.FromProjectFiles(OperatorFolder);

        Assert.Contains("Packyard.Plugins", graph.Keys);
        Assert.Contains(graph.Keys, name => name.StartsWith("Packyard.Content.", StringComparison.Ordinal));
        var violations = ProjectLayering.Violations(graph);
        Assert.True(violations.Count == 0, "Upward references in operator/*.csproj:\n  " + string.Join("\n  ", violations));
    }

    [Fact]
    public void No_built_assembly_references_a_layer_above_it()
    {
        var graph = ProjectLayering.FromAssemblies(AppContext.BaseDirectory);

        Assert.Contains("Packyard.Content.File", graph.Keys);
        Assert.Contains("Packyard", graph.Keys);
        var violations = ProjectLayering.Violations(graph);
        Assert.True(violations.Count == 0, "Upward assembly references:\n  " + string.Join("\n  ", violations));
    }

    [Fact]
    public void Every_content_type_assembly_compiles_against_the_plugin_contracts()
    {
        var graph = ProjectLayering.FromAssemblies(AppContext.BaseDirectory);

        var contentTypes = graph.Where(p => p.Key.StartsWith("Packyard.Content.", StringComparison.Ordinal)).ToList();
        Assert.Equal(Directory.GetDirectories(Path.Combine(OperatorFolder, "Content")).Length, contentTypes.Count);
        Assert.All(contentTypes, p => Assert.Contains("Packyard.Plugins", p.Value));
    }

    [Theory]
    [InlineData("Packyard.Content.Deb", "Packyard.Engine")] // a content type seeing engine internals
    [InlineData("Packyard.Content.Deb", "Packyard.Content.Rpm")] // one content type using another
    [InlineData("Packyard.Server", "Packyard.Content.Python")] // the server special-casing a type
    [InlineData("Packyard.Server", "Packyard")] // the server reaching into the host
    [InlineData("Packyard.ControllerRuntime", "Packyard.Api")] // the runtime learning Packyard's kinds
    [InlineData("Packyard.Plugins", "Packyard.Engine")] // the contracts depending on their implementation
    [InlineData("Packyard.Engine", "Packyard.Server")]
    [InlineData("Packyard.Api", "Packyard.Plugins")]
    [InlineData("Packyard.Manifests", "Packyard.Engine")]
    [InlineData("Packyard.Content.Container", "Packyard.Server")] // a type added later is held to the same rule
    public void An_upward_reference_is_reported_naming_both_projects(string project, string reference)
    {
        var graph = new Dictionary<string, IReadOnlyCollection<string>> { [project] = [reference] };

        var violation = Assert.Single(ProjectLayering.Violations(graph));

        Assert.StartsWith($"{project} → {reference} (allowed: ", violation);
    }

    [Fact]
    public void The_host_may_reference_content_types()
    {
        var graph = new Dictionary<string, IReadOnlyCollection<string>> { ["Packyard"] = ["Packyard.Content.Deb", "Packyard.Server", "Packyard.Engine"] };

        Assert.Empty(ProjectLayering.Violations(graph));
    }
}
