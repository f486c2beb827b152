using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Packyard.Authorization;
using Packyard.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="KubernetesUploadAuthorizer"/>; needs the library's <c>IKubernetes</c> in the container.</summary>
public static class KubernetesUploadAuthorizationServiceCollectionExtensions
{
    /// <summary>
    /// Uploads authorised by the cluster (TokenReview + SubjectAccessReview), with
    /// <see cref="KubernetesUploadAuthorizationOptions"/> validated at start. The first <c>IUploadAuthorizer</c>
    /// registered wins, so call this before anything that registers another.
    /// </summary>
    public static IServiceCollection AddKubernetesUploadAuthorization(
        this IServiceCollection services, Action<KubernetesUploadAuthorizationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<KubernetesUploadAuthorizationOptions>().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubernetesUploadAuthorizationOptions>, KubernetesUploadAuthorizationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IUploadAuthorizer, KubernetesUploadAuthorizer>();
        return services;
    }
}
