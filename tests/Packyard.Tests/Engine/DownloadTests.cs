using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Packyard.Api.Resources;
using Packyard.Engine.Downloads;
using Packyard.Engine.Sync;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Engine;

/// <summary>The downloader's Remote settings, each checked against a real HTTP(S) upstream on 127.0.0.1.</summary>
public sealed class DownloadTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    private async Task<SyncOutcome> SyncAsync(Uri url, Func<RemoteSettings, RemoteSettings> change)
    {
        var name = $"repo-{Guid.NewGuid():N}";
        var repositoryId = await engine.Catalog.EnsureRepositoryAsync("default", name, "file", CancellationToken.None);
        var (settings, remoteId) = await engine.RemoteAsync($"remote-{name}", url, change);
        return await engine.Get<SyncService>().SyncAsync(new SyncRequest(repositoryId, name, remoteId, settings, SyncMode.Mirror), null, CancellationToken.None);
    }

    private static FileUpstream Files(int count, string prefix)
    {
        var upstream = new FileUpstream();
        for (var i = 0; i < count; i++)
        {
            upstream.Put($"{prefix}{i:D3}.txt", $"{prefix} {i} {Guid.NewGuid()}");
        }

        return upstream.WriteManifest();
    }

    [Fact]
    public async Task Rate_limit_spaces_out_requests_to_the_upstream()
    {
        using var upstream = Files(25, "rate");
        await using var http = await HttpUpstream.StartAsync(upstream.Path);

        var clock = Stopwatch.StartNew();
        var outcome = await SyncAsync(http.Url, s => s with { RateLimit = 10 });
        clock.Stop();

        // 26 requests at 10/s with a burst of 10 need at least two refills of the bucket.
        Assert.Equal(25, outcome.Downloaded);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"26 requests at 10/s took only {clock.Elapsed}");
    }

    [Fact]
    public async Task Concurrency_limit_bounds_simultaneous_requests()
    {
        using var upstream = Files(12, "conc");
        await using var http = await HttpUpstream.StartAsync(upstream.Path);
        http.Delay = TimeSpan.FromMilliseconds(150);

        var clock = Stopwatch.StartNew();
        await SyncAsync(http.Url, s => s with { Concurrency = 2 });

        // 12 files at 150 ms each, two at a time, cannot take less than 6 × 150 ms.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"took only {clock.Elapsed}");
    }

    [Fact]
    public async Task Upstream_slower_than_the_timeout_fails_the_sync_with_a_clear_message()
    {
        using var upstream = Files(1, "slow");
        await using var http = await HttpUpstream.StartAsync(upstream.Path);
        http.Delay = TimeSpan.FromSeconds(3);

        var error = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => SyncAsync(http.Url, s => s with { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Contains("no response within", error.Message);
        Assert.Contains("PULP_MANIFEST", error.Message);
    }

    [Fact]
    public async Task Requests_go_through_the_remote_proxy()
    {
        using var upstream = Files(3, "proxied");
        await using var proxy = await HttpUpstream.StartAsync(upstream.Path);

        // upstream.invalid cannot resolve: the sync works only if every request goes to the proxy.
        var outcome = await SyncAsync(new Uri("http://upstream.invalid/"), s => s with { ProxyUrl = proxy.Url.ToString() });

        Assert.Equal(3, outcome.Downloaded);
        Assert.Equal(1, proxy.RequestsFor("PULP_MANIFEST"));
    }

    [Fact]
    public async Task Tls_upstream_is_trusted_only_with_its_ca_or_insecure_skip_verify()
    {
        using var certificate = SelfSigned();
        using var upstream = Files(2, "tls");
        await using var https = await HttpUpstream.StartAsync(upstream.Path, certificate);

        var untrusted = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => SyncAsync(https.Url, s => s));
        var withCa = await SyncAsync(https.Url, s => s with { CaCertificatePem = certificate.ExportCertificatePem() });
        var insecure = await SyncAsync(https.Url, s => s with { InsecureSkipVerify = true });

        Assert.Contains("SSL", untrusted.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, withCa.ContentCount);
        Assert.Equal(2, insecure.ContentCount);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=packyard-test-upstream", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
