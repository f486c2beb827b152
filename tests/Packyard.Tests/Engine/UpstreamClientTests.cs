using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Sync;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

/// <summary>
/// What a file Remote (PULP_MANIFEST) may read: nothing outside its upstream, whatever its manifest or its folder's symbolic links
/// say, with the correct digest of the outside file already declared; and how long one request may take.
/// </summary>
public sealed class UpstreamClientTests(EngineFixture engine) : IClassFixture<EngineFixture>, IDisposable
{
    private readonly TemporaryDirectory outside = new();

    private async Task<(long RepositoryId, Func<Task<SyncOutcome>> Sync)> RepositoryAsync(Uri url, Func<RemoteSettings, RemoteSettings>? change = null)
    {
        var name = $"repo-{Guid.NewGuid():N}";
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);
        var (settings, remoteId) = await engine.RemoteAsync($"remote-{name}", url, change);
        return (repositoryId, () => engine.Get<SyncService>().SyncAsync(
            new SyncRequest(repositoryId, name, remoteId, settings, SyncMode.Mirror), null, CancellationToken.None));
    }

    /// <summary>A file outside every upstream, as the upload token or a private key would be.</summary>
    private (string Path, byte[] Content, string Sha256) Secret()
    {
        var content = Encoding.UTF8.GetBytes($"upload-token: {Guid.NewGuid():N}\n");
        var path = Path.Combine(outside.Path, "secret");
        File.WriteAllBytes(path, content);
        return (path, content, FileUpstream.Sha256(content));
    }

    private Task<bool> StoredAsync(string sha256) => engine.Store.ExistsAsync(sha256, CancellationToken.None);

    [Theory]
    [InlineData("../SECRET_NAME", false)]
    [InlineData("../SECRET_NAME", true)]
    [InlineData("SECRET_PATH", false)]
    [InlineData("SECRET_PATH", true)]
    [InlineData("file://SECRET_PATH", false)]
    [InlineData("file://SECRET_PATH", true)]
    [InlineData("data:text/plain;base64", false)]
    [InlineData("data:text/plain;base64", true)]
    [InlineData("ftp://127.0.0.1/secret", false)]
    [InlineData("ftp:secret", true)]
    public async Task Manifest_paths_that_leave_the_upstream_fail_the_sync_and_read_nothing(string path, bool overHttp)
    {
        var secret = Secret();
        path = path.Replace("SECRET_PATH", secret.Path, StringComparison.Ordinal).Replace("SECRET_NAME", Path.GetFileName(outside.Path) + "/secret", StringComparison.Ordinal);
        using var upstream = new FileUpstream().Put("good.txt", "fine");
        upstream.WriteManifest($"good.txt,{FileUpstream.Sha256("fine"u8.ToArray())},4\n{path},{secret.Sha256},{secret.Content.Length}\n");
        await using var http = overHttp ? await HttpUpstream.StartAsync(upstream.Path) : null;
        var (repositoryId, sync) = await RepositoryAsync(http?.Url ?? upstream.FileUrl);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(sync);

        Assert.Contains("PULP_MANIFEST:2", error.Message);
        Assert.False(await StoredAsync(secret.Sha256));
        Assert.Equal(0, (await engine.Catalog.GetRepositoryStateAsync(repositoryId, 5, CancellationToken.None)).Latest.Number);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_Remote_refuses_a_symbolic_link_out_of_its_folder_and_reads_nothing_through_it(bool linkedFolder)
    {
        var secret = Secret();
        using var upstream = new FileUpstream().Put("good.txt", "fine");
        var listed = linkedFolder ? "private/secret" : "leak.txt";
        if (linkedFolder)
        {
            Directory.CreateSymbolicLink(Path.Combine(upstream.Path, "private"), outside.Path);
        }
        else
        {
            File.CreateSymbolicLink(Path.Combine(upstream.Path, "leak.txt"), secret.Path);
        }

        upstream.WriteManifest($"good.txt,{FileUpstream.Sha256("fine"u8.ToArray())},4\n{listed},{secret.Sha256},{secret.Content.Length}\n");
        var (repositoryId, sync) = await RepositoryAsync(upstream.FileUrl);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(sync);

        Assert.Contains($"refusing to read {Path.Combine(upstream.Path, listed)}: a symbolic link leads outside the Remote's folder", error.Message);
        Assert.DoesNotContain(secret.Path, error.Message);
        Assert.False(await StoredAsync(secret.Sha256));
        Assert.Equal(0, (await engine.Catalog.GetRepositoryStateAsync(repositoryId, 5, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task A_manifest_behind_a_symbolic_link_out_of_the_folder_is_not_read()
    {
        using var upstream = new FileUpstream();
        File.WriteAllText(Path.Combine(outside.Path, "PULP_MANIFEST"), $"secret,{new string('a', 64)},1\n");
        File.CreateSymbolicLink(Path.Combine(upstream.Path, "PULP_MANIFEST"), Path.Combine(outside.Path, "PULP_MANIFEST"));
        var (_, sync) = await RepositoryAsync(upstream.FileUrl);

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(sync);

        Assert.Contains("a symbolic link leads outside the Remote's folder", error.Message);
    }

    [Fact]
    public async Task A_file_Remote_reached_through_a_symbolic_link_with_links_inside_its_folder_syncs()
    {
        using var upstream = new FileUpstream().Put("real/a.txt", "alpha").Put("b.txt", "beta");
        File.CreateSymbolicLink(Path.Combine(upstream.Path, "alias.txt"), "real/a.txt");
        Directory.CreateSymbolicLink(Path.Combine(upstream.Path, "same"), "real");
        upstream.WriteManifest($"alias.txt,{FileUpstream.Sha256("alpha"u8.ToArray())},5\nsame/a.txt,{FileUpstream.Sha256("alpha"u8.ToArray())},5\nb.txt,{FileUpstream.Sha256("beta"u8.ToArray())},4\n");
        var link = Path.Combine(outside.Path, "upstream-link");
        Directory.CreateSymbolicLink(link, upstream.Path);
        var (_, sync) = await RepositoryAsync(new Uri(link + "/"));

        var outcome = await sync();

        Assert.Equal((1L, 3L), (outcome.Version, outcome.ContentCount));
        Assert.True(await StoredAsync(FileUpstream.Sha256("alpha"u8.ToArray())));
    }

    [Fact]
    public async Task An_upstream_trickling_one_byte_at_a_time_fails_the_request_at_spec_timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var trickle = TrickleAsync(listener, stop.Token);
        var (repositoryId, sync) = await RepositoryAsync(new Uri($"http://reader:hunter2@127.0.0.1:{port}/mirror/"), s => s with { Timeout = TimeSpan.FromSeconds(2) });

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<UpstreamUnavailableException>(sync);
        clock.Stop();
        await stop.CancelAsync();
        var sent = await trickle;

        Assert.Equal($"http://127.0.0.1:{port}/mirror/PULP_MANIFEST: the request took longer than the Remote's spec.timeout (2s); "
            + "the upstream is too slow, or spec.timeout too short for this file", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.InRange(sent, 5, 40); // bytes kept coming every 200 ms: an idle timeout alone would never have fired
        Assert.Equal(0, (await engine.Catalog.GetRepositoryStateAsync(repositoryId, 5, CancellationToken.None)).Latest.Number);
    }

    /// <summary>Answers one request with headers at once and a body of one byte every 200 ms; returns how many body bytes went out.</summary>
    private static async Task<int> TrickleAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        var sent = 0;
        try
        {
            using var client = await listener.AcceptTcpClientAsync(cancellationToken);
            var stream = client.GetStream();
            var request = new byte[8192];
            var read = 0;
            while (read < request.Length && !Encoding.ASCII.GetString(request, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(request.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    return sent;
                }

                read += n;
            }

            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"u8.ToArray(), cancellationToken);
            for (var i = 0; i < 100 && !cancellationToken.IsCancellationRequested; i++)
            {
                await stream.WriteAsync("a"u8.ToArray(), cancellationToken);
                await stream.FlushAsync(cancellationToken);
                sent++;
                await Task.Delay(200, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            // The client gave up (closed the connection) or the test is over.
        }

        return sent;
    }

    public void Dispose() => outside.Dispose();

    [Theory]
    [InlineData("basic")]
    [InlineData("token")]
    public async Task A_Remote_sends_its_credentials_only_to_its_own_host_never_to_a_host_its_metadata_links(string kind)
    {
        using var files = new FileUpstream().Put("index.txt", "index").Put("file.txt", "file");
        await using var own = await HttpUpstream.StartAsync(files.Path);
        await using var linked = await HttpUpstream.StartAsync(files.Path);
        var (settings, _) = await engine.RemoteAsync($"creds-{Guid.NewGuid():N}", own.Url,
            s => kind == "basic" ? s with { Username = "reader", Password = "s3cret" } : s with { Token = "t0ken" });
        var client = engine.Get<UpstreamClientFactory>().Get(settings);

        await using (await client.OpenAsync(new Uri(own.Url, "index.txt"), CancellationToken.None))
        {
        }

        await using (await client.OpenAsync(new Uri(linked.Url, "file.txt"), CancellationToken.None))
        {
        }

        Assert.Equal(kind == "basic" ? "Basic cmVhZGVyOnMzY3JldA==" : "Bearer t0ken", Assert.Single(own.Authorizations));
        Assert.Null(Assert.Single(linked.Authorizations));
    }
}
