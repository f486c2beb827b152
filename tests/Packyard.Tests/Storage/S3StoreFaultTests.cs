using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Packyard.Engine.Storage;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Storage;

/// <summary>The content app on an S3 store that hangs (moto stopped with SIGSTOP) or has lost objects.</summary>
public sealed class S3StoreFaultTests(S3ContentAppFixture app) : IClassFixture<S3ContentAppFixture>
{
    /// <summary>The default operation timeout is 5 s; the answer must come well before the SDK's minutes of timeouts and retries.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Requests_to_a_hung_s3_are_answered_503_within_seconds_whole_by_range_and_from_the_engine()
    {
        var big = new byte[200_000];
        new Random(7).NextBytes(big);
        using var upstream = new FileUpstream().Put("whole.txt", "never served before the hang").Put("ranged.bin", big).WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var basePath = ContentAppFixture.UniqueBasePath("hung");
        await app.DistributeAsync(basePath, repository.Id);

        app.Moto.Pause();
        try
        {
            var clock = Stopwatch.StartNew();
            using var whole = await app.Http.GetAsync($"/{basePath}/whole.txt");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, whole.StatusCode);
            Assert.Contains("artifact store unavailable", await whole.Content.ReadAsStringAsync());
            Assert.NotNull(whole.Headers.RetryAfter);
            Assert.True(clock.Elapsed < Bound, $"whole GET answered after {clock.Elapsed}");

            clock.Restart();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/ranged.bin");
            request.Headers.Range = new RangeHeaderValue(1000, 1999);
            using var ranged = await app.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ranged.StatusCode);
            Assert.True(clock.Elapsed < Bound, $"range GET answered after {clock.Elapsed}");

            clock.Restart();
            var error = await Assert.ThrowsAsync<ArtifactStoreException>(() => app.Store.ExistsAsync(FileUpstream.Sha256(big), CancellationToken.None));
            Assert.Equal(ArtifactStoreReasons.StorageUnreachable, error.Reason);
            Assert.Contains(app.Moto.Endpoint, error.Message);
            Assert.DoesNotContain(MotoServer.SecretKey, error.Message);
            Assert.True(clock.Elapsed < Bound, $"HEAD failed after {clock.Elapsed}");
        }
        finally
        {
            app.Moto.Resume();
        }

        using var after = await app.Http.GetAsync($"/{basePath}/whole.txt");
        Assert.Equal((HttpStatusCode.OK, "never served before the hang"), (after.StatusCode, await after.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Range_request_for_objects_missing_from_s3_is_503_not_500_when_no_remote_can_provide_them()
    {
        var big = new byte[100_000];
        new Random(11).NextBytes(big);
        using var upstream = new FileUpstream().Put("lost.bin", big).WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var basePath = ContentAppFixture.UniqueBasePath("lost");
        await app.DistributeAsync(basePath, repository.Id);
        var manifest = await app.Http.GetByteArrayAsync($"/{basePath}/PULP_MANIFEST");

        // Neither the artifact (its remote no longer knows it) nor the published manifest can come back from anywhere.
        await using (var forget = app.DataSource.CreateCommand("delete from remote_artifacts where remote_id = $1"))
        {
            forget.Parameters.Add(new Npgsql.NpgsqlParameter { Value = repository.RemoteId });
            await forget.ExecuteNonQueryAsync();
        }

        await app.Store.DeleteAsync(FileUpstream.Sha256(big), CancellationToken.None);
        await app.Store.DeleteAsync(FileUpstream.Sha256(manifest), CancellationToken.None);

        foreach (var (path, from) in new[] { ("lost.bin", 500L), ("PULP_MANIFEST", 1L) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/{path}");
            request.Headers.Range = new RangeHeaderValue(from, from + 9);
            using var response = await app.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains($"'{path}' is missing from the artifact store", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Range_request_for_an_artifact_missing_from_s3_fetches_it_again_from_its_remote()
    {
        var big = new byte[100_000];
        new Random(13).NextBytes(big);
        using var upstream = new FileUpstream().Put("refetched.bin", big).WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var basePath = ContentAppFixture.UniqueBasePath("again");
        await app.DistributeAsync(basePath, repository.Id);
        await app.Store.DeleteAsync(FileUpstream.Sha256(big), CancellationToken.None);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/refetched.bin");
        request.Headers.Range = new RangeHeaderValue(500, 1499);
        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(big[500..1500], await response.Content.ReadAsByteArrayAsync());
        Assert.True(await app.Store.ExistsAsync(FileUpstream.Sha256(big), CancellationToken.None));
    }
}
