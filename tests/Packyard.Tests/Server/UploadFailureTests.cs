using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Server;

/// <summary>The content app whose metadata database is gone: its connection string names a port where nothing listens.</summary>
public sealed class DeadDatabaseUploadFixture : ContentAppFixture
{
    protected override bool MigrateOnStart => false;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton(NpgsqlDataSource.Create($"Host=127.0.0.1;Port={HttpUpstream.FreePort()};Username=packyard;Password=secret-password;Timeout=3"));
}

/// <summary>The content app on an S3 artifact store at a port where nothing listens: the object store is dead.</summary>
public sealed class DeadStoreUploadFixture : ContentAppFixture
{
    private readonly int port = HttpUpstream.FreePort();

    public override string Storage => $"s3://key:secret-key@127.0.0.1:{port}/bucket?tls=false";
}

/// <summary>
/// The content app on a filesystem store in a 1 MiB tmpfs mounted for the test (the machine's real ENOSPC, not an
/// imitation; mounting needs root, as the PostgreSQL peer does).
/// </summary>
public sealed class FullDiskUploadFixture : ContentAppFixture
{
    private readonly TemporaryDirectory mount = new();

    public override string Storage => mount.Path;

    public override async Task InitializeAsync()
    {
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.Path);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await RunAsync("umount", mount.Path);
        mount.Dispose();
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} failed: {error}");
    }
}

public sealed class DeadDatabaseUploadTests(DeadDatabaseUploadFixture app) : IClassFixture<DeadDatabaseUploadFixture>
{
    [Fact]
    public async Task Upload_while_the_database_is_down_is_503_with_retry_after_and_a_json_error_naming_it()
    {
        using var response = await UploadRequests.PostAsync(app.Http, "any", "content"u8.ToArray(), "a.txt");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        var error = await UploadRequests.ErrorAsync(response);
        Assert.Contains("metadata database unavailable", error);
        Assert.DoesNotContain("secret-password", error);
    }

    [Fact]
    public async Task Download_while_the_database_is_down_is_503_with_retry_after_as_before()
    {
        using var response = await app.Http.GetAsync("/files/a.txt");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("metadata database unavailable", await response.Content.ReadAsStringAsync());
    }
}

public sealed class DeadStoreUploadTests(DeadStoreUploadFixture app) : IClassFixture<DeadStoreUploadFixture>
{
    [Fact]
    public async Task Upload_while_the_object_store_is_down_is_503_with_retry_after_and_a_json_error_naming_it()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadRequests.PostAsync(app.Http, name, "content"u8.ToArray(), "a.txt");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        var error = await UploadRequests.ErrorAsync(response);
        Assert.Contains("artifact store unavailable", error);
        Assert.DoesNotContain("secret-key", error);
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }
}

public sealed class FullDiskUploadTests(FullDiskUploadFixture app) : IClassFixture<FullDiskUploadFixture>
{
    [Fact]
    public async Task Upload_to_a_full_disk_is_507_with_a_json_error_and_creates_no_version()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadRequests.PostAsync(app.Http, name, new byte[4 << 20], "big.bin");

        Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
        Assert.Contains("disk is full", await UploadRequests.ErrorAsync(response));
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
        var spool = Path.Combine(app.Storage, "tmp");
        Assert.Empty(Directory.Exists(spool) ? Directory.EnumerateFiles(spool) : []);
    }

    [Fact]
    public async Task A_small_upload_still_succeeds_on_the_same_disk()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadRequests.PostAsync(app.Http, name, "small"u8.ToArray(), "small.txt");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
