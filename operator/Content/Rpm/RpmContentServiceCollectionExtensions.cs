using Packyard.Content.Rpm;
using Packyard.Plugins;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>rpm</c> content type.</summary>
public static class RpmContentServiceCollectionExtensions
{
    public static IServiceCollection AddRpmContent(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ImplementationInstance is ContentTypePlugin { Name: RpmContentType.Name }))
        {
            services.AddSingleton(new ContentTypePlugin(RpmContentType.Name, new RpmSyncSource(), new RpmUploadParser(), new RpmPublisher(), new RpmRoutes(),
                Selector: new RpmContentSelector(), ReservedPaths: ["repodata", "config.repo"],
                MediaTypes: new Dictionary<string, string> { [".rpm"] = "application/x-rpm" }, ClientSetup: new RpmClientSetup()));
        }

        return services;
    }
}
