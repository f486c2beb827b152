using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Packyard.Engine.Storage;
using Xunit.Abstractions;

namespace Packyard.Tests.Storage;

public sealed class FileSystemArtifactStoreTests(ITestOutputHelper output) : ArtifactStoreContractTests(output)
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "packyard-fs-store-" + Guid.NewGuid().ToString("N"));
    private FileSystemArtifactStore? store;

    protected override IArtifactStore Store => FileStore;

    private FileSystemArtifactStore FileStore => store ?? throw new InvalidOperationException("Not initialised.");

    public override Task InitializeAsync()
    {
        store = new FileSystemArtifactStore(new FileSystemStorageOptions { Root = root }, NullLogger<FileSystemArtifactStore>.Instance);
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Objects_are_stored_at_objects_ab_cd_sha256_and_TryGetLocalPath_returns_that_path()
    {
        var content = RandomNumberGenerator.GetBytes(100);

        var stored = await Store.PutAsync(new MemoryStream(content), null, CancellationToken.None);

        var expected = Path.Combine(root, "objects", stored.Sha256[..2], stored.Sha256[2..4], stored.Sha256);
        Assert.Equal(expected, Store.TryGetLocalPath(stored.Sha256));
        Assert.Equal(content, await File.ReadAllBytesAsync(expected));
    }

    [Fact]
    public async Task Stored_files_are_readable_by_everyone_and_writable_by_the_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only.
        }

        var stored = await Store.PutAsync(new MemoryStream([1]), null, CancellationToken.None);

        var mode = File.GetUnixFileMode(Store.TryGetLocalPath(stored.Sha256)!);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            mode & ~(UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
    }

    [Fact]
    public async Task Direct_download_uri_is_null_for_a_filesystem()
    {
        var stored = await Store.PutAsync(new MemoryStream([1]), null, CancellationToken.None);

        Assert.Null(await Store.GetDirectDownloadUriAsync(stored.Sha256, TimeSpan.FromMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task CleanTemporaryFilesAsync_removes_stale_temporary_files_and_keeps_recent_ones()
    {
        Directory.CreateDirectory(FileStore.TemporaryDirectory);
        var stale = Path.Combine(FileStore.TemporaryDirectory, "stale.part");
        var recent = Path.Combine(FileStore.TemporaryDirectory, "recent.part");
        await File.WriteAllTextAsync(stale, "left by a killed process");
        await File.WriteAllTextAsync(recent, "being written");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));

        var removed = await FileStore.CleanTemporaryFilesAsync(TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Equal(1, removed);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(recent));
    }

    [Fact]
    public async Task A_root_that_is_a_file_fails_with_ArtifactStoreException_naming_the_directory()
    {
        var file = Path.Combine(Path.GetTempPath(), "packyard-not-a-dir-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(file, "");
        try
        {
            var broken = new FileSystemArtifactStore(new FileSystemStorageOptions { Root = file }, NullLogger<FileSystemArtifactStore>.Instance);

            var error = await Assert.ThrowsAsync<ArtifactStoreException>(() =>
                broken.PutAsync(new MemoryStream([1]), null, CancellationToken.None));

            Assert.Equal(ArtifactStoreReasons.StorageFailed, error.Reason);
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    protected override IReadOnlyList<string> TemporaryFiles() =>
        Directory.Exists(FileStore.TemporaryDirectory) ? Directory.GetFiles(FileStore.TemporaryDirectory) : [];

    protected override Task<int> CountObjectsAsync() => Task.FromResult(
        Directory.Exists(FileStore.ObjectsDirectory)
            ? Directory.GetFiles(FileStore.ObjectsDirectory, "*", SearchOption.AllDirectories).Length
            : 0);
}
