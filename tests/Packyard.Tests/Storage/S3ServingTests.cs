using System.Net;
using System.Net.Http.Headers;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Storage;

/// <summary>The content app and the sync engine on an S3 artifact store (moto on 127.0.0.1), end to end.</summary>
public sealed class S3ContentAppFixture : ContentAppFixture
{
    private readonly MotoServer moto = new();

    /// <summary>The S3 server of this fixture (each test class has its own), for tests that stop it or look inside.</summary>
    public MotoServer Moto => moto;

    public override string Storage => $"s3://{MotoServer.AccessKey}:{MotoServer.SecretKey}@127.0.0.1:{moto.Port}/{moto.Bucket}?tls=false&prefix=e2e";

    public override async Task InitializeAsync()
    {
        await moto.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await moto.DisposeAsync();
    }
}

public sealed class S3ServingTests(S3ContentAppFixture app) : IClassFixture<S3ContentAppFixture>
{
    [Fact]
    public async Task Synced_files_are_stored_in_s3_and_served_whole_and_by_range()
    {
        var big = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(big);
        using var upstream = new FileUpstream().Put("data/big.bin", big).Put("small.txt", "small but real").WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var basePath = "/" + ContentAppFixture.UniqueBasePath("s3");
        await app.DistributeAsync(basePath[1..], repository.Id);

        Assert.Null(app.Store.TryGetLocalPath(FileUpstream.Sha256(big)));
        Assert.True(await app.Store.ExistsAsync(FileUpstream.Sha256(big), CancellationToken.None));

        var whole = await app.Http.GetByteArrayAsync($"{basePath}/data/big.bin");
        Assert.Equal(FileUpstream.Sha256(big), FileUpstream.Sha256(whole));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{basePath}/data/big.bin");
        request.Headers.Range = new RangeHeaderValue(big.Length - 1000, null);
        using var partial = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal($"bytes {big.Length - 1000}-{big.Length - 1}/{big.Length}", partial.Content.Headers.ContentRange!.ToString());
        Assert.Equal(big[^1000..], await partial.Content.ReadAsByteArrayAsync());

        var manifest = await app.Http.GetStringAsync($"{basePath}/PULP_MANIFEST");
        Assert.Contains($"data/big.bin,{FileUpstream.Sha256(big)},{big.Length}", manifest);
    }
}
