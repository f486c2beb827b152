using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Packyard.Engine.Database;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure.Oci;
using Packyard.Tests.Server;

namespace Packyard.Tests.Container.Push;

/// <summary>
/// What a push leaves when it is not finished: an upload session nobody completes and a blob no manifest takes in are kept for
/// <see cref="OrphanCleanupOptions.PendingUploadAge"/>, then orphan cleanup drops them with their bytes; what a version holds stays.
/// </summary>
public sealed class PushReclaimTests(ContainerFixture app) : IClassFixture<ContainerFixture>
{
    [Fact]
    public async Task An_abandoned_session_and_a_blob_without_a_manifest_are_reclaimed_after_the_pending_age_and_pushed_images_stay()
    {
        var repository = await app.ContainerRepositoryAsync();
        await app.Catalog.SetUploadsEnabledAsync(repository.Id, true, CancellationToken.None);
        var chunk = Bytes(30_000, seed: 1);
        var orphan = Bytes(20_000, seed: 2);
        var kept = Bytes(10_000, seed: 3);
        using var client = new OciRegistryClient(app.BaseAddress, "token", ContentAppFixture.UploadToken);
        using (var start = await SendAsync(HttpMethod.Post, $"/v2/{repository.BasePath}/blobs/uploads/"))
        using (var patch = await SendAsync(HttpMethod.Patch, start.Headers.Location!.ToString(), chunk))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        }

        var orphanDigest = await client.PushBlobAsync(repository.BasePath, orphan);
        var config = await client.PushBlobAsync(repository.BasePath, "{}"u8.ToArray());
        var layer = await client.PushBlobAsync(repository.BasePath, kept);
        await client.PushManifestAsync(repository.BasePath, "1.0", OciTestMediaTypes.ImageManifest, Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{OciTestMediaTypes.ImageManifest}}","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{config}}","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layer}}","size":{{kept.Length}}}]}"""));
        var chunkHex = OciRegistryClient.Sha256(chunk)[7..];

        // Within the pending age nothing of the push is touched, however old its rows are for the protection time.
        await AgeAsync(TimeSpan.FromMinutes(30));
        await CleanerWith(TimeSpan.FromHours(1)).CleanAsync(TimeSpan.FromMinutes(10), CancellationToken.None);
        Assert.Equal(1, await CountAsync("select count(*) from upload_sessions where repository_id = $1", repository.Id));
        Assert.True(await app.Store.ExistsAsync(chunkHex, CancellationToken.None));
        Assert.True(await app.Store.ExistsAsync(orphanDigest[7..], CancellationToken.None));

        await AgeAsync(TimeSpan.FromHours(2));
        await CleanerWith(TimeSpan.FromHours(1)).CleanAsync(TimeSpan.FromMinutes(10), CancellationToken.None);

        Assert.Equal(0, await CountAsync("select count(*) from upload_sessions where repository_id = $1", repository.Id));
        Assert.Equal(0, await CountAsync("select count(*) from pending_content where repository_id = $1", repository.Id));
        Assert.Equal(0, await app.ContentUnitCountAsync($"blob:{orphanDigest}"));
        Assert.False(await app.Store.ExistsAsync(chunkHex, CancellationToken.None));
        Assert.False(await app.Store.ExistsAsync(orphanDigest[7..], CancellationToken.None));
        Assert.True(await app.Store.ExistsAsync(layer[7..], CancellationToken.None));
        Assert.Equal(kept, await app.Http.GetByteArrayAsync($"/v2/{repository.BasePath}/blobs/{layer}"));
    }

    private OrphanCleaner CleanerWith(TimeSpan pendingAge) =>
        new(app.DataSource, app.Store, app.Get<StoreSweeper>(), NullLogger<OrphanCleaner>.Instance, new OrphanCleanupOptions { PendingUploadAge = pendingAge });

    /// <summary>Moves every push row and every saved row's creation time <paramref name="age"/> into the past.</summary>
    private async Task AgeAsync(TimeSpan age)
    {
        await using var connection = await app.DataSource.OpenConnectionAsync();
        var seconds = (long)age.TotalSeconds;
        await connection.ExecuteAsync($"""
            update upload_sessions set updated = now() - interval '{seconds} seconds';
            update pending_content set updated = now() - interval '{seconds} seconds';
            update artifacts set created = now() - interval '{seconds} seconds';
            update content_units set created = now() - interval '{seconds} seconds';
            """, CancellationToken.None);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"token:{ContentAppFixture.UploadToken}")));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        return app.Http.SendAsync(request);
    }

    private async Task<long> CountAsync(string sql, object parameter)
    {
        await using var connection = await app.DataSource.OpenConnectionAsync();
        return await connection.ScalarAsync<long>(sql, CancellationToken.None, parameter);
    }

    private static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
