using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Packyard.Engine.Storage;
using Packyard.Server;

namespace Packyard.Tests.Server;

public sealed class SmallFileCacheTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "packyard-small-files-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemArtifactStore store;

    public SmallFileCacheTests() =>
        store = new FileSystemArtifactStore(new FileSystemStorageOptions { Root = root }, NullLogger<FileSystemArtifactStore>.Instance);

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<(ServedFile File, byte[] Content)> StoreAsync(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var stored = await store.PutAsync(new MemoryStream(content), null, CancellationToken.None);
        return (new ServedFile(stored.Sha256, size, "text/html", DateTimeOffset.UtcNow, Stored: true, null) { LocalPath = store.TryGetLocalPath(stored.Sha256) }, content);
    }

    [Fact]
    public async Task A_small_file_is_read_once_and_then_served_from_memory()
    {
        var cache = new SmallFileCache(store, new ServingCacheOptions());
        var (file, content) = await StoreAsync(3000);

        Assert.Equal(content, await cache.GetAsync(file, CancellationToken.None));
        File.Delete(file.LocalPath!);

        Assert.Equal(content, await cache.GetAsync(file, CancellationToken.None));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_not_kept()
    {
        var cache = new SmallFileCache(store, new ServingCacheOptions { MaxSmallFileBytes = 1000 });
        var (file, _) = await StoreAsync(1001);

        Assert.Null(await cache.GetAsync(file, CancellationToken.None));
    }

    [Fact]
    public async Task The_cache_never_holds_more_than_its_byte_budget()
    {
        var cache = new SmallFileCache(store, new ServingCacheOptions { SmallFileCacheBytes = 250 });
        var files = new List<(ServedFile File, byte[] Content)>();
        for (var i = 0; i < 3; i++)
        {
            files.Add(await StoreAsync(100));
            Assert.Equal(files[i].Content, await cache.GetAsync(files[i].File, CancellationToken.None));
        }

        foreach (var (file, _) in files)
        {
            File.Delete(file.LocalPath!);
        }

        // The third did not fit beside the first two: they were dropped, it was kept.
        Assert.Null(await cache.GetAsync(files[0].File, CancellationToken.None));
        Assert.Null(await cache.GetAsync(files[1].File, CancellationToken.None));
        Assert.Equal(files[2].Content, await cache.GetAsync(files[2].File, CancellationToken.None));
    }

    [Fact]
    public async Task A_blob_shorter_than_recorded_is_not_served_from_memory()
    {
        var cache = new SmallFileCache(store, new ServingCacheOptions());
        var (file, _) = await StoreAsync(100);

        Assert.Null(await cache.GetAsync(file with { Size = 200 }, CancellationToken.None));
    }
}
