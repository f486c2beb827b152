using Packyard.Content.Container;
using Packyard.Plugins;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>container</c> content type and its OCI distribution API under <c>/v2/</c>.</summary>
public static class ContainerContentServiceCollectionExtensions
{
    public static IServiceCollection AddContainerContent(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ImplementationInstance is ContentTypePlugin { Name: ContainerContentType.Name }))
        {
            services.AddSingleton(new ContentTypePlugin(ContainerContentType.Name, new ContainerSyncSource(), UploadParser: null, new ContainerPublisher(),
                new ContainerRoutes(), new ContainerSelector(), ReservedPaths: ["blobs", "manifests", "referrers", ContainerContentType.TagsFile],
                RootRoutes: new OciRootRoutes(), Dependencies: new ContainerDependencies(), Kinds: ContainerContentType.Kinds,
                ClientSetup: new ContainerClientSetup()));
        }

        return services;
    }
}
