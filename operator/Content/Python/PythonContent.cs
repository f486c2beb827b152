using Packyard.Content.Python;
using Packyard.Plugins;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>python</c> content type.</summary>
public static class PythonContentServiceCollectionExtensions
{
    public static IServiceCollection AddPythonContent(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ImplementationInstance is ContentTypePlugin { Name: PythonContentType.Name }))
        {
            services.AddSingleton(new ContentTypePlugin(PythonContentType.Name, new PythonSyncSource(), new PythonUploadParser(), new PythonPublisher(),
                new PythonRoutes(), new PythonSelector(), ReservedPaths: ["simple", "pypi", "legacy"], UploadPaths: ["legacy"],
                ClientSetup: new PythonClientSetup()));
        }

        return services;
    }
}
