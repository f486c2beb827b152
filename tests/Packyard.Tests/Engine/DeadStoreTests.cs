using Packyard.Api.Resources;
using Packyard.Engine.Storage;
using Packyard.Engine.Sync;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

/// <summary>An S3 artifact store on a port where nothing listens: the object store is dead.</summary>
public sealed class DeadStoreFixture : EngineFixture
{
    private readonly int port = HttpUpstream.FreePort();

    public override string Storage => $"s3://key:secret@127.0.0.1:{port}/bucket?tls=false";
}

public sealed class DeadStoreTests(DeadStoreFixture engine) : IClassFixture<DeadStoreFixture>
{
    [Fact]
    public async Task Dead_object_store_fails_the_sync_naming_the_store_and_creates_no_version()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("default", "dead-store", "file", CancellationToken.None);
        var (settings, remoteId) = await engine.RemoteAsync("dead-store-remote", upstream.FileUrl);

        var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => engine.Get<SyncService>().SyncAsync(
            new SyncRequest(repositoryId, "dead-store", remoteId, settings, SyncMode.Mirror), null, CancellationToken.None));

        Assert.Equal(ArtifactStoreReasons.StorageUnreachable, error.Reason);
        Assert.Contains("127.0.0.1", error.Message);
        Assert.DoesNotContain("secret", error.Message);
        Assert.Equal(0, (await engine.Catalog.GetRepositoryStateAsync(repositoryId, 1, CancellationToken.None)).Latest.Number);
    }
}
