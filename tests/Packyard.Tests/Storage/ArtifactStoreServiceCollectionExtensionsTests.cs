using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Packyard.Engine.Storage;

namespace Packyard.Tests.Storage;

public sealed class ArtifactStoreServiceCollectionExtensionsTests
{
    [Fact]
    public void AddFileSystemArtifactStore_registers_one_singleton_store_with_the_configured_root()
    {
        var root = Path.Combine(Path.GetTempPath(), "packyard-di-" + Guid.NewGuid().ToString("N"));
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddFileSystemArtifactStore(options => options.Root = root)
            .BuildServiceProvider();

        var store = provider.GetRequiredService<IArtifactStore>();

        var fileSystem = Assert.IsType<FileSystemArtifactStore>(store);
        Assert.Equal(root, fileSystem.Root);
        Assert.Same(store, provider.GetRequiredService<IArtifactStore>());
        Assert.Same(store, provider.GetRequiredService<FileSystemArtifactStore>());
    }

    [Fact]
    public void The_first_registered_store_wins()
    {
        using var provider = new ServiceCollection()
            .AddS3ArtifactStore(options => { options.Endpoint = "http://127.0.0.1:9000"; options.Bucket = "b"; })
            .AddFileSystemArtifactStore(options => options.Root = "/tmp/unused")
            .BuildServiceProvider();

        Assert.IsType<S3ArtifactStore>(provider.GetRequiredService<IArtifactStore>());
    }

    [Fact]
    public void AddArtifactStore_registers_the_store_a_storage_url_describes()
    {
        using var provider = new ServiceCollection()
            .AddArtifactStore("s3://key:secret@127.0.0.1:9000/bucket?tls=false&prefix=p/")
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<S3StorageOptions>>().Value;

        Assert.Equal("http://127.0.0.1:9000", options.Endpoint);
        Assert.Equal("secret", options.SecretKey);
        Assert.Equal("p/", options.Prefix);
        Assert.IsType<S3ArtifactStore>(provider.GetRequiredService<IArtifactStore>());
    }

    [Fact]
    public void Invalid_options_fail_validation_at_start_and_name_the_field()
    {
        using var provider = new ServiceCollection()
            .AddS3ArtifactStore(options => options.PartSize = 1024)
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Bucket", error.Message, StringComparison.Ordinal);
        Assert.Contains("PartSize", error.Message, StringComparison.Ordinal);
    }
}
