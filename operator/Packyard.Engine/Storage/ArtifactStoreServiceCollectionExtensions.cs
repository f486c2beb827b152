using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Packyard.Engine.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers an <see cref="IArtifactStore"/>. The first registration wins; later calls are harmless.</summary>
public static class ArtifactStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="FileSystemArtifactStore"/> as the singleton <see cref="IArtifactStore"/>, with
    /// <see cref="FileSystemStorageOptions"/> validated at start.
    /// </summary>
    public static IServiceCollection AddFileSystemArtifactStore(
        this IServiceCollection services, Action<FileSystemStorageOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<FileSystemStorageOptions>().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<FileSystemStorageOptions>, FileSystemStorageOptionsValidator>());
        services.TryAddSingleton(provider => new FileSystemArtifactStore(
            provider.GetRequiredService<IOptions<FileSystemStorageOptions>>().Value,
            provider.GetService<ILogger<FileSystemArtifactStore>>() ?? NullLogger<FileSystemArtifactStore>.Instance));
        services.TryAddSingleton<IArtifactStore>(provider => provider.GetRequiredService<FileSystemArtifactStore>());
        return services;
    }

    /// <summary>
    /// Registers <see cref="S3ArtifactStore"/> as the singleton <see cref="IArtifactStore"/>, with
    /// <see cref="S3StorageOptions"/> validated at start. The container disposes the client.
    /// </summary>
    public static IServiceCollection AddS3ArtifactStore(this IServiceCollection services, Action<S3StorageOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<S3StorageOptions>().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3StorageOptions>, S3StorageOptionsValidator>());
        services.TryAddSingleton(provider => new S3ArtifactStore(
            provider.GetRequiredService<IOptions<S3StorageOptions>>().Value,
            provider.GetService<ILogger<S3ArtifactStore>>() ?? NullLogger<S3ArtifactStore>.Instance));
        services.TryAddSingleton<IArtifactStore>(provider => provider.GetRequiredService<S3ArtifactStore>());
        return services;
    }

    /// <summary>
    /// Registers the store described by a <c>--storage</c> value (format: <see cref="ArtifactStoreFactory.FromUri"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or malformed.</exception>
    public static IServiceCollection AddArtifactStore(this IServiceCollection services, string storage)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (fileSystem, s3) = ArtifactStoreFactory.Parse(storage);
        return fileSystem is not null
            ? services.AddFileSystemArtifactStore(options => options.Root = fileSystem.Root)
            : services.AddS3ArtifactStore(options => CopyTo(s3!, options));
    }

    private static void CopyTo(S3StorageOptions source, S3StorageOptions target)
    {
        target.Endpoint = source.Endpoint;
        target.Bucket = source.Bucket;
        target.Region = source.Region;
        target.AccessKey = source.AccessKey;
        target.SecretKey = source.SecretKey;
        target.Prefix = source.Prefix;
        target.ForcePathStyle = source.ForcePathStyle;
        target.SpoolDirectory = source.SpoolDirectory;
    }
}
