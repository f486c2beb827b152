using Packyard.Content.Deb;
using Packyard.Plugins;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>deb</c> content type.</summary>
public static class DebContentServiceCollectionExtensions
{
    public static IServiceCollection AddDebContent(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ImplementationInstance is ContentTypePlugin { Name: DebContentType.Name }))
        {
            services.AddSingleton(new ContentTypePlugin(DebContentType.Name, new DebSyncSource(), new DebUploadParser(), new DebPublisher(), new DebRoutes(),
                Selector: new DebContentSelector(), ReservedPaths: ["dists", DebSourcesFile.Path, DebSourcesFile.PublicKeyPath],
                MediaTypes: new Dictionary<string, string>
                {
                    [".deb"] = "application/vnd.debian.binary-package",
                    [".udeb"] = "application/vnd.debian.binary-package",
                }, ClientSetup: new DebClientSetup()));
        }

        return services;
    }
}
