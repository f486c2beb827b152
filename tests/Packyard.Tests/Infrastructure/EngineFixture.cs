using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Packyard.Engine.Catalog;
using Packyard.Hosting;
using Packyard.Engine.Database;
using Packyard.Engine.Downloads;
using Packyard.Engine.Storage;

namespace Packyard.Tests.Infrastructure;

/// <summary>
/// The engine against a database of its own (real PostgreSQL) and a filesystem artifact store in a temp folder,
/// with the file content type registered. One per test class (IClassFixture).
/// </summary>
public class EngineFixture : IAsyncLifetime
{
    /// <summary>The key encrypting Remote credentials, shared by every service provider of a test (engine, content app).</summary>
    public static readonly byte[] SecretKey = System.Security.Cryptography.SHA256.HashData("packyard test secret key"u8);

    private readonly TemporaryDirectory folder = new();

    public ServiceProvider Services { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public string StorageRoot => Path.Combine(folder.Path, "artifacts");

    /// <summary>The artifact store as <c>--storage</c> would give it: the filesystem under <see cref="StorageRoot"/> unless overridden.</summary>
    public virtual string Storage => StorageRoot;

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public NpgsqlDataSource DataSource => Get<NpgsqlDataSource>();

    public IArtifactStore Store => Get<IArtifactStore>();

    public EngineCatalog Catalog => Get<EngineCatalog>();

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await PostgresCluster.CreateDatabaseAsync(GetType().Name);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        // Fast retries keep failure tests quick; the behaviour (retry, then fail) is the same.
        services.AddSingleton(new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(20) });
        services.AddSingleton(new Packyard.Engine.Secrets.SecretCipher(SecretKey));
        services.AddPackyardEngine(ConnectionString, Storage);
        services.AddContentTypes();
        Configure(services);
        Services = services.BuildServiceProvider();
        await Get<MigrationRunner>().ApplyAsync(CancellationToken.None);
    }

    /// <summary>Lets a derived fixture add services (the content app, fakes of what cannot run here).</summary>
    protected virtual void Configure(IServiceCollection services)
    {
    }

    /// <summary>Creates a remote record for <paramref name="url"/> and returns its settings and id.</summary>
    public async Task<(RemoteSettings Settings, long Id)> RemoteAsync(string name, Uri url, Func<RemoteSettings, RemoteSettings>? change = null)
    {
        var settings = new RemoteSettings { Namespace = "default", Name = name, Type = "file", BaseUrl = UpstreamPaths.AsBase(url), Concurrency = 4, Timeout = TimeSpan.FromSeconds(10) };
        settings = change?.Invoke(settings) ?? settings;
        return (settings, await Catalog.UpsertRemoteAsync(settings, CancellationToken.None));
    }

    public virtual async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        folder.Dispose();
    }
}
