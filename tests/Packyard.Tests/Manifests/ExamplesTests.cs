using Packyard.Manifests;

using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Manifests;

public sealed class ExamplesTests
{
    public static TheoryData<string> ExampleFolders()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "examples")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(folder));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFolders))]
    public void Every_example_validates_against_the_generated_schemas(string folder)
    {
        var path = Path.Combine(RepositoryRoot.Path, "examples", folder);
        var documents = new ManifestLoader().LoadDirectory(path);

        var errors = ManifestValidator.Validate(documents);

        Assert.NotEmpty(documents);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void Reference_examples_use_every_kind()
    {
        var kinds = new ManifestLoader().LoadDirectory(Path.Combine(RepositoryRoot.Path, "examples", "reference")).Select(document => document.Kind).ToHashSet();

        Assert.Superset(new HashSet<string> { "Remote", "Repository", "Distribution", "Promotion", "Secret" }, kinds);
    }
}
