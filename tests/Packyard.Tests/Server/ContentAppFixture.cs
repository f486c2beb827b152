using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Hosting;
using Packyard.Engine.Database;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Engine.Sync;
using Packyard.Server;
using Packyard.Standalone;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Server;

/// <summary>
/// The engine fixture plus the content app on a real Kestrel at 127.0.0.1 (its own service provider over the same
/// database and artifact folder), with the standalone static-token upload authorizer and a notifier that publishes
/// each uploaded version. One per test class.
/// </summary>
public class ContentAppFixture : EngineFixture
{
    public const string UploadToken = "upload-token-for-tests";

    private WebApplication app = null!;

    /// <summary>A client for the content app that does not follow redirects (so 302s can be asserted).</summary>
    public HttpClient Http { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider AppServices => app.Services;

    public DistributionCache Distributions => app.Services.GetRequiredService<DistributionCache>();

    public PublishingChangeNotifier Notifier => app.Services.GetRequiredService<PublishingChangeNotifier>();

    /// <summary>The Repositories the upload endpoint sees as declared (none unless a test adds one).</summary>
    public DeclaredRepositories DeclaredRepositories { get; } = new();

    /// <summary>The path of every request the content app received (its access log), in arrival order.</summary>
    public ConcurrentQueue<string> RequestedPaths { get; } = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        BaseAddress = new Uri($"http://127.0.0.1:{HttpUpstream.FreePort()}/");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BaseAddress.ToString());
        var services = builder.Services;
        services.AddSingleton(new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(20) });
        services.AddSingleton(new Packyard.Engine.Secrets.SecretCipher(SecretKey));
        services.AddPackyardEngine(ConnectionString, Storage);
        services.AddContentTypes();
        // A wide pull-through batch window, so concurrent requests join one batch even on a loaded CI machine.
        services.AddSingleton(new PullThroughOptions { BatchWindow = TimeSpan.FromSeconds(1) });
        services.AddPackyardContentApp();
        services.AddSingleton<IUploadAuthorizer>(new StaticTokenUploadAuthorizer(UploadToken));
        services.AddSingleton<IRepositorySource>(DeclaredRepositories);
        services.AddSingleton<PublishingChangeNotifier>();
        services.AddSingleton<IRepositoryChangeNotifier>(sp => sp.GetRequiredService<PublishingChangeNotifier>());
        ConfigureServices(services);
        app = builder.Build();
        if (MigrateOnStart)
        {
            await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        }

        app.Use((http, next) =>
        {
            RequestedPaths.Enqueue(http.Request.Path.Value ?? "");
            return next(http);
        });
        app.UsePackyardContent();
        await app.StartAsync();
        Http = NewClient(allowRedirects: false);
    }

    /// <summary>Whether the content app applies migrations at start (a fixture whose app has no database turns it off).</summary>
    protected virtual bool MigrateOnStart => true;

    /// <summary>Last changes to the content app's services (a derived fixture swaps the upload authorizer, say).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public HttpClient NewClient(bool allowRedirects) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = allowRedirects }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Creates a file repository with a remote for <paramref name="url"/>, syncs it (mirror) and publishes the version.</summary>
    public async Task<ServedRepository> SyncedRepositoryAsync(Uri url, Func<RemoteSettings, RemoteSettings>? change = null)
    {
        var name = $"repo-{Guid.NewGuid():N}";
        var id = await Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);
        var (settings, remoteId) = await RemoteAsync($"remote-{name}", url, change);
        var repository = new ServedRepository(this, id, name, remoteId, settings);
        await repository.SyncAndPublishAsync();
        return repository;
    }

    /// <summary>Creates an empty file repository (version 0) that accepts uploads, or not.</summary>
    public async Task<(long Id, string Name)> UploadRepositoryAsync(bool uploadsEnabled)
    {
        var name = $"uploads-{Guid.NewGuid():N}";
        var id = await Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);
        await Catalog.SetUploadsEnabledAsync(id, uploadsEnabled, CancellationToken.None);
        return (id, name);
    }

    /// <summary>Serves the repository at <paramref name="basePath"/> and makes the content app see it at once.</summary>
    public async Task<string> DistributeAsync(string basePath, long repositoryId, bool checkpoints = false, ContentGuardRecord? guard = null)
    {
        var name = $"dist-{Guid.NewGuid():N}";
        await Catalog.UpsertDistributionAsync(new DistributionRecord("default", name, basePath, repositoryId, null, checkpoints, guard, null), CancellationToken.None);
        Distributions.Invalidate();
        return name;
    }

    /// <summary>A base path no other test uses.</summary>
    public static string UniqueBasePath(string prefix = "files") => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public override async Task DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>A synced repository whose upstream a test can change and sync again.</summary>
    public sealed record ServedRepository(ContentAppFixture Fixture, long Id, string Name, long RemoteId, RemoteSettings Remote)
    {
        /// <summary>Syncs (mirror) and publishes the resulting version; returns it with the publication's creation time.</summary>
        public async Task<(long Version, DateTimeOffset Published)> SyncAndPublishAsync()
        {
            var outcome = await Fixture.Get<SyncService>().SyncAsync(new SyncRequest(Id, Name, RemoteId, Remote, SyncMode.Mirror), null, CancellationToken.None);
            var published = await Fixture.Get<PublicationService>().PublishAsync(Id, Name, "file", outcome.Version, PublishOptions.None, CancellationToken.None);
            Fixture.Distributions.Invalidate();
            return (outcome.Version, published);
        }
    }
}

/// <summary>Records upload notifications and publishes the repository's newest version, as the controllers would.</summary>
public sealed class PublishingChangeNotifier(EngineCatalog catalog, PublicationService publications, DistributionCache distributions)
    : IRepositoryChangeNotifier
{
    private readonly Lock gate = new();
    private Task pending = Task.CompletedTask;

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Completes when every publication asked for so far has been made.</summary>
    public Task Published
    {
        get
        {
            lock (gate)
            {
                return pending;
            }
        }
    }

    public void VersionCreated(string ns, string repository)
    {
        Calls.Enqueue($"{ns}/{repository}");
        lock (gate)
        {
            pending = PublishAfterAsync(pending, ns, repository);
        }
    }

    private async Task PublishAfterAsync(Task previous, string ns, string repository)
    {
        await previous;
        var target = await catalog.FindUploadTargetAsync(ns, repository, CancellationToken.None)
            ?? throw new InvalidOperationException($"repository {ns}/{repository} vanished");
        var state = await catalog.GetRepositoryStateAsync(target.RepositoryId, 1, CancellationToken.None);
        await publications.PublishAsync(target.RepositoryId, repository, target.Type, state.Latest.Number, PublishOptions.None, CancellationToken.None);
        distributions.Invalidate();
    }
}
