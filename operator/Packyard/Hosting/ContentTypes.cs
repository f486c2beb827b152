using Microsoft.Extensions.DependencyInjection;

namespace Packyard.Hosting;

/// <summary>
/// The content types this build serves: the one file outside <c>operator/Content/&lt;Type&gt;/</c> that names them
/// (tests/Packyard.Tests/Architecture/ContentTypeNamesTests.cs holds everyone else to that). Adding a type is its folder
/// under <c>operator/Content/</c> (picked up by Packyard.csproj's wildcard reference), its type block in Packyard.Api,
/// and one line here.
/// </summary>
public static class ContentTypes
{
    public static IServiceCollection AddContentTypes(this IServiceCollection services) =>
        services
            .AddFileContent()
            .AddPythonContent()
            .AddDebContent()
            .AddRpmContent()
            .AddContainerContent();
}
