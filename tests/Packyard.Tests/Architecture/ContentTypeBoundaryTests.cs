using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Packyard.Tests.Architecture;

/// <summary>
/// Content types live behind the engine's plugin API, as Pulp plugins import only pulpcore.plugin: a content-type
/// assembly may reference Packyard.Api and Packyard.Engine, and of the engine only the plugin-facing namespaces.
/// </summary>
public sealed class ContentTypeBoundaryTests
{
    private static readonly string[] AllowedEngineNamespaces =
        ["Packyard.Engine", "Packyard.Engine.Plugins", "Packyard.Engine.Downloads", "Packyard.Engine.Storage", "Packyard.Engine.Compression"];

    public static TheoryData<string> ContentTypeAssemblies()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(AppContext.BaseDirectory, "Packyard.Content.*.dll"))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Fact]
    public void Every_content_type_project_is_checked()
    {
        Assert.Contains(Directory.GetFiles(AppContext.BaseDirectory, "Packyard.Content.*.dll"), path => Path.GetFileName(path) == "Packyard.Content.File.dll");
    }

    [Theory]
    [MemberData(nameof(ContentTypeAssemblies))]
    public void Content_type_references_only_the_api_and_the_engine_plugin_namespaces(string assemblyFile)
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, assemblyFile));
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();

        var packyardAssemblies = metadata.AssemblyReferences
            .Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name))
            .Where(name => name.StartsWith("Packyard", StringComparison.Ordinal))
            .ToList();
        Assert.All(packyardAssemblies, name => Assert.Contains(name, new[] { "Packyard.Api", "Packyard.Engine" }));

        var engineNamespaces = metadata.TypeReferences
            .Select(handle => metadata.GetTypeReference(handle))
            .Where(type => type.ResolutionScope.Kind == HandleKind.AssemblyReference
                && metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name) == "Packyard.Engine")
            .Select(type => metadata.GetString(type.Namespace))
            .Distinct()
            .ToList();
        Assert.NotEmpty(engineNamespaces);
        Assert.All(engineNamespaces, ns => Assert.Contains(ns, AllowedEngineNamespaces));
    }
}
