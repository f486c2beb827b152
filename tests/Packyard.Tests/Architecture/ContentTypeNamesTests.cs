using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Architecture;

/// <summary>
/// Adding a content type is its folder under operator/Content, its type block in Packyard.Api and one registration line:
/// no other file in operator/ may name a content type (<see cref="ContentTypeNames"/> says what counts as naming one).
/// </summary>
public sealed class ContentTypeNamesTests
{
    /// <summary>
    /// The files that may name content types besides each type's own block files in Packyard.Api/Resources (see
    /// <see cref="IsTypeBlockFile"/>): the type names, the specs that hold the blocks, the blocks' JSON registrations, and the one
    /// registration file.
    /// </summary>
    private static readonly string[] Allowed =
    [
        "Packyard.Api/Resources/ContentType.cs", // the type names
        "Packyard.Api/Resources/Remote.cs", // the remote type blocks (spec.file, spec.deb…)
        "Packyard.Api/Resources/Repository.cs", // the publish type blocks (spec.publish.deb)
        "Packyard.Api/Resources/RemoteTypeOptions.cs", // the remote blocks' JSON subtypes, by type name
        "Packyard.Api/Resources/PublishTypeOptions.cs", // the publish blocks' JSON subtypes, by type name
        "Packyard.Api/Resources/TypeOptionsJsonContext.cs", // the one source-generated JSON context of the blocks
        "Packyard/Hosting/ContentTypes.cs", // the one registration line per type
    ];

    private static string OperatorFolder => Path.Combine(RepositoryRoot.Path, "operator");

    [Fact]
    public void Only_the_api_type_blocks_and_the_registration_file_name_a_content_type_outside_its_folder()
    {
        var offenders = ContentTypeNames.Scan(OperatorFolder)
            .Where(hit => !Allowed.Contains(hit.File) && !IsTypeBlockFile(hit.File))
            .ToList();

        Assert.True(offenders.Count == 0,
            "These lines name a content type outside operator/Content/<Type>/ (move the knowledge into the type, behind a " +
            "Packyard.Plugins contract):\n  " + string.Join("\n  ", offenders));
    }

    [Fact]
    public void Every_allowed_file_still_names_a_content_type()
    {
        // A file that no longer names a type must leave the list, so the list only shrinks.
        var files = ContentTypeNames.Scan(OperatorFolder).Select(hit => hit.File).ToHashSet(StringComparer.Ordinal);

        Assert.All(Allowed, file => Assert.True(files.Contains(file), $"operator/{file} names no content type (or does not exist): remove it from Allowed."));
    }

    [Theory]
    [InlineData("var publisher = new DebPublisher();", "DebPublisher")] // a type declared in a content folder
    [InlineData("services.AddRpmContent();", "AddRpmContent")]
    [InlineData("if (spec.Type == ContentType.Python)", "ContentType.Python")]
    [InlineData("if (type == \"deb\") return;", "\"deb\"")]
    [InlineData("var container = type is \"container\";", "\"container\"")] // a type that has no folder yet
    [InlineData("provider.Mappings[\".rpm\"] = \"application/x-rpm\";", "\".rpm\"")]
    [InlineData("using Packyard.Content.File;", "Packyard.Content.File")]
    [InlineData("JsonSerializer.Serialize(block, Context.DebRemoteOptions)", "DebRemoteOptions")] // an API type block
    [InlineData("var version = DebianVersion.Parse(text);", "DebianVersion")]
    [InlineData("var key = spec.Rpm?.SigningKeySecretRef;", ".Rpm")] // a type block read off a spec
    [InlineData("if (spec.File is not null) return;", "spec.File")]
    public void A_line_naming_a_content_type_is_reported_with_its_file_and_line(string line, string match)
    {
        var pattern = ContentTypeNames.Pattern(OperatorFolder);

        var hit = Assert.Single(ContentTypeNames.ScanText("Packyard.Server/Example.cs", ["// a comment naming DebPublisher", line], pattern));

        Assert.Equal((2, match), (hit.Line, hit.Match));
        Assert.StartsWith("operator/Packyard.Server/Example.cs:2: ", hit.ToString());
    }

    [Theory]
    [InlineData("var url = new Uri(\"file:///srv/mirror/\");")]
    [InlineData("if (scheme == \"file\") return;")] // a URL scheme, not the file type
    [InlineData("await using var stream = File.OpenRead(path);")]
    [InlineData("var plugin = contentTypes.Get(repository.Type);")]
    public void A_line_that_does_not_name_a_content_type_is_not_reported(string line)
    {
        Assert.Empty(ContentTypeNames.ScanText("Packyard.Server/Example.cs", [line], ContentTypeNames.Pattern(OperatorFolder)));
    }

    /// <summary>A type's own block in the API, named after it: Packyard.Api/Resources/DebRemoteOptions.cs, PythonPackageType.cs.</summary>
    private static bool IsTypeBlockFile(string file)
    {
        const string folder = "Packyard.Api/Resources/";
        var name = file.StartsWith(folder, StringComparison.Ordinal) ? file[folder.Length..] : null;
        return name is not null && !name.Contains('/', StringComparison.Ordinal) && ContentTypeNames.TypeNames.Any(type =>
            name.StartsWith(type, StringComparison.Ordinal) && name.Length > type.Length && char.IsUpper(name[type.Length]));
    }
}
