using Packyard.Plugins;
using Packyard.Content.File;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>file</c> content type.</summary>
public static class FileContentServiceCollectionExtensions
{
    public static IServiceCollection AddFileContent(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ImplementationInstance is ContentTypePlugin { Name: FileContentType.Name }))
        {
            services.AddSingleton(new ContentTypePlugin(FileContentType.Name, new FileSyncSource(), new FileUploadParser(), new FilePublisher(), Routes: null,
                ReservedPaths: ["PULP_MANIFEST"], ClientSetup: new FileClientSetup()));
        }

        return services;
    }
}
