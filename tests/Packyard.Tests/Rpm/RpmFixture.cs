using Microsoft.Extensions.DependencyInjection;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Engine.Sync;
using Packyard.Tests.Server;

namespace Packyard.Tests.Rpm;

/// <summary>
/// The content app fixture with rpm repositories: creates, syncs and publishes them. Decompressed metadata is limited
/// to 32 MiB so decompression-bomb tests stay quick.
/// </summary>
public sealed class RpmFixture : ContentAppFixture
{
    protected override void Configure(IServiceCollection services)
    {
        base.Configure(services);
        services.AddSingleton(new SyncLimits { MaxDecompressedBytes = 32L << 20 });
    }

    public async Task<RpmRepository> RepositoryAsync(Uri url, string optionsJson = "{}", byte[]? verificationKeys = null, DownloadPolicy policy = DownloadPolicy.Immediate)
    {
        var name = $"rpm-{Guid.NewGuid():N}";
        var id = await Catalog.EnsureRepositoryAsync("default", name, "rpm", CancellationToken.None);
        var (settings, remoteId) = await RemoteAsync($"remote-{name}", url,
            s => s with { Type = "rpm", TypeOptions = TypeOptionsJson.Read<RemoteTypeOptions>("rpm", optionsJson), VerificationKeys = verificationKeys, Policy = policy });
        return new RpmRepository(this, id, name, remoteId, settings);
    }

    /// <summary>An rpm repository fed by a remote.</summary>
    public sealed record RpmRepository(RpmFixture Fixture, long Id, string Name, long RemoteId, RemoteSettings Remote)
    {
        public Task<SyncOutcome> SyncAsync(SyncMode mode = SyncMode.Mirror) =>
            Fixture.Get<SyncService>().SyncAsync(new SyncRequest(Id, Name, RemoteId, Remote, mode), null, CancellationToken.None);

        public async Task<DateTimeOffset> PublishAsync(long version, byte[]? signingKey)
        {
            var published = await Fixture.Get<PublicationService>().PublishAsync(Id, Name, "rpm", version, new PublishOptions(signingKey, null), CancellationToken.None);
            Fixture.Distributions.Invalidate();
            return published;
        }
    }
}
