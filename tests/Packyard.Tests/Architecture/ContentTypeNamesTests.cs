using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Architecture;

/// <summary>
/// Adding a content type is its folder under operator/Content, its type block in Packyard.Api and one registration line:
/// no other file in operator/ may name a content type (<see cref="ContentTypeNames"/> says what counts as naming one).
/// </summary>
public sealed class ContentTypeNamesTests
{
    /// <summary>The files that may name content types: the API's type blocks and the one registration file.</summary>
    private static readonly string[] Allowed =
    [
        "Packyard.Api/Resources/ContentType.cs", // the type names
        "Packyard.Api/Resources/Remote.cs", // the remote type blocks (spec.file, spec.deb…)
        "Packyard.Api/Resources/Repository.cs", // the publish type blocks (spec.publish.deb)
        "Packyard/Hosting/ContentTypes.cs", // the one registration line per type
    ];

    /// <summary>
    /// Files that still name content types, each until the issue 13 item that removes it lands. Shrink this list; never grow it.
    /// </summary>
    private static readonly string[] NotYetRemoved =
    [
        // Item 4 (one definition of each type's options, no JSON-string bridge; options helper): the per-type switches
        // in TypeOptionsJson/VerificationKeys, the source-generated JSON for the type blocks, and the deb publish case.
        "Packyard/Controllers/RemoteSettingsBuilder.cs",
        "Packyard/Controllers/ControllerJsonContext.cs",
        "Packyard/Controllers/PublishOptionsBuilder.cs",
        // Item 4 too: validate's check that a type block matches spec.type lists the blocks one by one.
        "Packyard.Manifests/CrossFieldRules.cs",
        // Item 1 (kinds registered once with the Secrets they read; runtime helper) with item 4 (options helper): which
        // type blocks hold a signingKeySecretRef is listed per type for validate's Secret checks and for the dependents of a Secret.
        "Packyard.Manifests/SecretReferenceSite.cs",
        "Packyard/Operator/Dependents.cs",
    ];

    private static string OperatorFolder => Path.Combine(RepositoryRoot.Path, "operator");

    [Fact]
    public void Only_the_api_type_blocks_and_the_registration_file_name_a_content_type_outside_its_folder()
    {
        var offenders = ContentTypeNames.Scan(OperatorFolder)
            .Where(hit => !Allowed.Contains(hit.File) && !NotYetRemoved.Contains(hit.File))
            .ToList();

        Assert.True(offenders.Count == 0,
            "These lines name a content type outside operator/Content/<Type>/ (move the knowledge into the type, behind a " +
            "Packyard.Plugins contract):\n  " + string.Join("\n  ", offenders));
    }

    [Fact]
    public void Every_file_on_the_not_yet_removed_list_still_names_a_content_type()
    {
        // Once an item removes a file's type names, the file must leave the list, so the list only shrinks.
        var files = ContentTypeNames.Scan(OperatorFolder).Select(hit => hit.File).ToHashSet(StringComparer.Ordinal);

        Assert.All(NotYetRemoved, file => Assert.True(files.Contains(file), $"operator/{file} names no content type any more: remove it from NotYetRemoved."));
        Assert.All(Allowed, file => Assert.True(File.Exists(Path.Combine(OperatorFolder, file)), $"operator/{file} does not exist"));
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
}
