using System.Net;
using System.Text;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Server;

/// <summary>
/// What an anonymous client can learn through OnDemand and Streamed fetches: never a local file outside the Remote's upstream (by a
/// URL stored by an older version, or a symbolic link), and never the digest of what was read when it did not match.
/// </summary>
public sealed class UpstreamLeakTests(ContentAppFixture app) : IClassFixture<ContentAppFixture>, IDisposable
{
    private readonly TemporaryDirectory outside = new();

    private (string Path, string Content, string Sha256) Secret()
    {
        var content = $"upload-token: {Guid.NewGuid():N}\n";
        var path = Path.Combine(outside.Path, "secret");
        File.WriteAllText(path, content);
        return (path, content, FileUpstream.Sha256(Encoding.UTF8.GetBytes(content)));
    }

    private Task<bool> StoredAsync(string sha256) => app.Store.ExistsAsync(sha256, CancellationToken.None);

    private async Task<string> ServeAsync(Uri url, DownloadPolicy policy)
    {
        var repository = await app.SyncedRepositoryAsync(url, s => s with { Policy = policy });
        var basePath = ContentAppFixture.UniqueBasePath("leak");
        await app.DistributeAsync(basePath, repository.Id);
        return basePath;
    }

    [Theory]
    [InlineData(DownloadPolicy.OnDemand)]
    [InlineData(DownloadPolicy.Streamed)]
    public async Task A_file_URL_stored_by_an_older_version_is_refused_at_fetch_time(DownloadPolicy policy)
    {
        var secret = Secret();
        // The upstream declares the secret's digest for a harmless name; an older Packyard stored a file: URL for it.
        using var files = new FileUpstream().Put("a.txt", secret.Content).WriteManifest();
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var repository = await app.SyncedRepositoryAsync(upstream.Url, s => s with { Policy = policy });
        var basePath = ContentAppFixture.UniqueBasePath("stored");
        await app.DistributeAsync(basePath, repository.Id);
        await using (var command = app.DataSource.CreateCommand("update remote_artifacts set url = $1 where remote_id = $2"))
        {
            command.Parameters.AddWithValue(new Uri(secret.Path).AbsoluteUri);
            command.Parameters.AddWithValue(repository.RemoteId);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        using var response = await app.Http.GetAsync($"/{basePath}/a.txt");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains($"refusing to fetch {new Uri(secret.Path).AbsoluteUri} for Remote default/{repository.Remote.Name}: upstream metadata may not point to local files", body);
        Assert.DoesNotContain(secret.Content.Trim(), body);
        Assert.False(await StoredAsync(secret.Sha256));
        Assert.Equal(0, upstream.RequestsFor("a.txt"));
    }

    [Theory]
    [InlineData(DownloadPolicy.OnDemand)]
    [InlineData(DownloadPolicy.Streamed)]
    public async Task A_symbolic_link_out_of_a_file_Remote_is_refused_on_demand(DownloadPolicy policy)
    {
        var secret = Secret();
        using var files = new FileUpstream().Put("good.txt", "fine");
        File.CreateSymbolicLink(Path.Combine(files.Path, "leak.txt"), secret.Path);
        files.WriteManifest($"good.txt,{FileUpstream.Sha256("fine"u8.ToArray())},4\nleak.txt,{secret.Sha256},{secret.Content.Length}\n");
        var basePath = await ServeAsync(files.FileUrl, policy);

        using var good = await app.Http.GetAsync($"/{basePath}/good.txt");
        using var leak = await app.Http.GetAsync($"/{basePath}/leak.txt");
        var body = await leak.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode.OK, "fine"), (good.StatusCode, await good.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadGateway, leak.StatusCode);
        Assert.Contains("a symbolic link leads outside the Remote's folder", body);
        Assert.DoesNotContain(secret.Content.Trim(), body);
        Assert.False(await StoredAsync(secret.Sha256));
    }

    [Fact]
    public async Task A_digest_mismatch_on_demand_names_the_declared_digest_size_and_URL_but_never_the_digest_read()
    {
        var declared = FileUpstream.Sha256("original"u8.ToArray());
        var read = FileUpstream.Sha256("tampered"u8.ToArray());
        using var files = new FileUpstream().Put("bad.txt", "tampered").WriteManifest($"bad.txt,{declared},8\n");
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var basePath = await ServeAsync(upstream.Url, DownloadPolicy.OnDemand);

        using var response = await app.Http.GetAsync($"/{basePath}/bad.txt");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains($"digest mismatch for 'bad.txt' ({upstream.Url}bad.txt)", body);
        Assert.Contains($"does not have the declared sha256 (declared: sha256 {declared}, 8 bytes)", body);
        Assert.DoesNotContain(read, body);
    }

    [Fact]
    public async Task A_size_mismatch_on_demand_names_the_declared_size_but_never_the_size_read()
    {
        var content = new string('x', 12345);
        using var files = new FileUpstream().Put("big.txt", content).WriteManifest($"big.txt,{FileUpstream.Sha256(Encoding.UTF8.GetBytes(content))},100\n");
        await using var upstream = await HttpUpstream.StartAsync(files.Path);
        var basePath = await ServeAsync(upstream.Url, DownloadPolicy.OnDemand);

        using var response = await app.Http.GetAsync($"/{basePath}/big.txt");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("does not have the declared size", body);
        Assert.Contains("100 bytes", body);
        Assert.DoesNotContain("12345", body);
    }

    public void Dispose() => outside.Dispose();
}
