using Microsoft.Extensions.DependencyInjection;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Engine.Sync;
using Packyard.Tests.Server;

namespace Packyard.Tests.Deb;

/// <summary>
/// The content app fixture with deb repositories: creates, syncs and publishes them. Decompressed metadata is limited
/// to <see cref="MaxDecompressedBytes"/> so decompression-bomb tests stay quick.
/// </summary>
public class DebFixture : ContentAppFixture
{
    public const long MaxDecompressedBytes = 32L << 20;

    protected override void Configure(IServiceCollection services)
    {
        base.Configure(services);
        services.AddSingleton(new SyncLimits { MaxDecompressedBytes = DecompressedLimit });
        services.AddSingleton(Hooks);
    }

    /// <summary>Lets a test hold a publish just before it becomes visible.</summary>
    public PublicationHooks Hooks { get; } = new();

    protected virtual long DecompressedLimit => MaxDecompressedBytes;

    public async Task<DebRepository> RepositoryAsync(Uri url, string optionsJson = "{}", byte[]? verificationKeys = null, DownloadPolicy policy = DownloadPolicy.Immediate)
    {
        var name = $"deb-{Guid.NewGuid():N}";
        var id = await Catalog.EnsureRepositoryAsync("default", name, "deb", CancellationToken.None);
        var (settings, remoteId) = await RemoteAsync($"remote-{name}", url,
            s => s with { Type = "deb", TypeOptions = TypeOptionsJson.Read<RemoteTypeOptions>("deb", optionsJson), VerificationKeys = verificationKeys, Policy = policy });
        return new DebRepository(this, id, name, remoteId, settings);
    }

    /// <summary>A deb repository fed by a remote.</summary>
    public sealed record DebRepository(DebFixture Fixture, long Id, string Name, long RemoteId, RemoteSettings Remote)
    {
        public Task<SyncOutcome> SyncAsync(SyncMode mode = SyncMode.Mirror) =>
            Fixture.Get<SyncService>().SyncAsync(new SyncRequest(Id, Name, RemoteId, Remote, mode), null, CancellationToken.None);

        public async Task<DateTimeOffset> PublishAsync(long version, byte[]? signingKey, string optionsJson = "{}")
        {
            var published = await Fixture.Get<PublicationService>().PublishAsync(Id, Name, "deb", version, new PublishOptions(signingKey, TypeOptionsJson.Read<PublishTypeOptions>("deb", optionsJson)), CancellationToken.None);
            Fixture.Distributions.Invalidate();
            return published;
        }
    }
}

/// <summary>A <see cref="DebFixture"/> with the default limits, for real-world indices (bookworm's Packages is 50 MB).</summary>
public sealed class DebDefaultLimitsFixture : DebFixture
{
    protected override long DecompressedLimit => new SyncLimits().MaxDecompressedBytes;
}
