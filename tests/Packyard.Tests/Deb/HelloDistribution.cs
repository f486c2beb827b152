using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Deb;

/// <summary>
/// The common start of a deb test: a signed upstream with hello 2.10-3 (amd64) in bookworm main served over HTTP, a repository
/// syncing it with the upstream's key, and a distribution of that repository at a fresh base path.
/// </summary>
internal sealed class HelloDistribution : IAsyncDisposable
{
    private HelloDistribution(AptUpstream upstream, HttpUpstream http, DebFixture.DebRepository repository, string basePath)
    {
        Upstream = upstream;
        Http = http;
        Repository = repository;
        BasePath = basePath;
    }

    public AptUpstream Upstream { get; }

    public HttpUpstream Http { get; }

    public DebFixture.DebRepository Repository { get; }

    public string BasePath { get; }

    public static async Task<HelloDistribution> CreateAsync(DebFixture fixture, string basePathPrefix)
    {
        var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);
        var basePath = ContentAppFixture.UniqueBasePath(basePathPrefix);
        await fixture.DistributeAsync(basePath, repository.Id);
        return new HelloDistribution(upstream, http, repository, basePath);
    }

    /// <summary>Adds a package to the upstream's main/amd64, re-indexes and re-signs it.</summary>
    public async Task AddUpstreamPackageAsync(string package, string version)
    {
        await Upstream.AddAsync("main", package, version, "amd64");
        await Upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
    }

    /// <summary>Syncs, then publishes the resulting version signed with the upstream's key.</summary>
    public async Task<DateTimeOffset> SyncAndPublishAsync(string optionsJson = "{}") =>
        await Repository.PublishAsync((await Repository.SyncAsync()).Version, Upstream.SecretKey, optionsJson);

    public async ValueTask DisposeAsync()
    {
        await Http.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
