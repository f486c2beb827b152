using Packyard.Api.Resources;
using Packyard.Engine.Sync;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

public sealed class OrphanCleanerTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    private async Task SyncNewRepositoryAsync(string name, FileUpstream upstream)
    {
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("orphans", name, "file", CancellationToken.None);
        var (settings, remoteId) = await engine.RemoteAsync($"{name}-remote", upstream.FileUrl);
        await engine.Get<SyncService>().SyncAsync(new SyncRequest(repositoryId, name, remoteId, settings, SyncMode.Mirror), null, CancellationToken.None);
    }

    private Task<bool> StoredAsync(string content) =>
        engine.Store.ExistsAsync(FileUpstream.Sha256(System.Text.Encoding.UTF8.GetBytes(content)), CancellationToken.None);

    [Fact]
    public async Task Deleting_a_repository_reclaims_artifacts_no_other_repository_holds()
    {
        using var first = new FileUpstream().Put("only-first.txt", "orphan-to-be").Put("shared.txt", "shared by both").WriteManifest();
        using var second = new FileUpstream().Put("shared.txt", "shared by both").WriteManifest();
        await SyncNewRepositoryAsync("first", first);
        await SyncNewRepositoryAsync("second", second);

        await engine.Catalog.DeleteRepositoryAsync("orphans", "first", CancellationToken.None);
        var result = await engine.Get<OrphanCleaner>().CleanAsync(TimeSpan.Zero, CancellationToken.None);

        Assert.False(await StoredAsync("orphan-to-be"));
        Assert.True(await StoredAsync("shared by both"));
        Assert.True(result.Artifacts >= 1);
        Assert.True(result.ContentUnits >= 1);
    }

    [Fact]
    public async Task Recent_orphans_are_protected()
    {
        using var upstream = new FileUpstream().Put("fresh.txt", "fresh orphan").WriteManifest();
        await SyncNewRepositoryAsync("fresh", upstream);
        await engine.Catalog.DeleteRepositoryAsync("orphans", "fresh", CancellationToken.None);

        await engine.Get<OrphanCleaner>().CleanAsync(TimeSpan.FromHours(1), CancellationToken.None);

        Assert.True(await StoredAsync("fresh orphan"));
    }
}
