using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Packyard.Api.Resources;
using Packyard.Engine.Promotions;
using Packyard.Server;
using Packyard.Tests.Server;
using static Packyard.Tests.Versions.VersionContent;

namespace Packyard.Tests.Plugins;

/// <summary>
/// The content app and engine with the test-only <c>blob-test</c> type registered beside the real ones; a real type claiming
/// the same first segment (the registry type's <c>v2</c>) makes way for it, since two types may not claim one segment.
/// </summary>
public sealed class BlobTypeFixture : ContentAppFixture
{
    protected override void Configure(IServiceCollection services) => Register(services);

    protected override void ConfigureServices(IServiceCollection services) => Register(services);

    private static void Register(IServiceCollection services)
    {
        var claimed = BlobTestType.Plugin.RootRoutes!.FirstSegments;
        foreach (var taken in services.Where(d => d.ImplementationInstance is ContentTypePlugin { RootRoutes: { } routes }
            && routes.FirstSegments.Intersect(claimed, StringComparer.OrdinalIgnoreCase).Any()).ToList())
        {
            services.Remove(taken);
        }

        services.AddSingleton(BlobTestType.Plugin);
    }
}

/// <summary>
/// What the next content type (an OCI registry) needs from the plugin contracts, shown with a type registered in the test:
/// a first path segment it claims is routed to it before any base path, raw request bodies are uploads, and its selector
/// picks what a promotion copies.
/// </summary>
public sealed class ContentTypeRoutesTests(BlobTypeFixture app) : IClassFixture<BlobTypeFixture>
{
    [Theory]
    [InlineData("/v2/")]
    [InlineData("/v2")]
    [InlineData("/V2/")]
    public async Task A_first_segment_a_registered_type_claims_is_answered_by_that_type_before_base_path_lookup(string path)
    {
        using var response = await app.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", Assert.Single(response.Headers.GetValues("Docker-Distribution-API-Version")));
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_path_under_a_claimed_segment_the_type_does_not_answer_is_404()
    {
        using var response = await app.Http.GetAsync("/v2/library/alpine/manifests/latest");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_raw_body_put_on_a_type_route_is_streamed_into_the_store_and_added_as_a_version()
    {
        var repository = await RepositoryAsync(BlobTestType.Name);
        var body = RandomNumberGenerator.GetBytes(300_000);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v2/{repository.Name}/blobs?name=layer&version=1") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ContentAppFixture.UploadToken);

        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var uploaded = await response.Content.ReadFromJsonAsync<UploadResponse>();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(body));
        Assert.Equal((1L, "blobs/layer-1", sha256, (long)body.Length), (uploaded!.Version, uploaded.RelativePath, uploaded.Sha256, uploaded.Size));
        Assert.Contains(("blob", UploadBodies.Raw, (string?)"application/octet-stream"), BlobTestType.Parsed);
        Assert.Equal(sha256, (await ListAsync(app, repository.Id, 1))["blobs/layer-1"]);
    }

    [Fact]
    public async Task A_type_route_serves_a_file_of_a_distribution_named_in_its_path()
    {
        var repository = await RepositoryAsync(BlobTestType.Name);
        var body = RandomNumberGenerator.GetBytes(5000);
        using (var uploaded = await PostRawAsync(repository.Name, "?filename=layer&name=layer&version=7", body))
        {
            Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        }

        await app.Notifier.Published;
        var basePath = $"registry/{Guid.NewGuid():N}";
        await app.DistributeAsync(basePath, repository.Id);

        using var served = await app.Http.GetAsync($"/v2/{basePath}/blobs/layer-7");
        using var missing = await app.Http.GetAsync($"/v2/{basePath}/blobs/layer-8");
        using var noDistribution = await app.Http.GetAsync("/v2/nowhere/blobs/layer-7");

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(body, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (missing.StatusCode, noDistribution.StatusCode));
    }

    [Fact]
    public async Task A_raw_body_put_on_a_type_route_is_authorized_as_the_upload_api_is()
    {
        var repository = await RepositoryAsync(BlobTestType.Name);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v2/{repository.Name}/blobs?name=layer&version=1") { Content = new ByteArrayContent([1, 2, 3]) };

        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await NumbersAfterZeroAsync(repository.Id));
    }

    [Fact]
    public async Task A_raw_body_on_the_upload_api_is_an_upload_for_a_type_that_takes_raw_bodies()
    {
        var repository = await RepositoryAsync(BlobTestType.Name);

        using var response = await PostRawAsync(repository.Name, "?filename=tool.bin&name=tool&version=3", [4, 5, 6]);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains(("tool.bin", UploadBodies.Raw, (string?)"application/octet-stream"), BlobTestType.Parsed);
        Assert.Equal(["blobs/tool-3"], (await ListAsync(app, repository.Id, 1)).Keys);
    }

    [Fact]
    public async Task A_raw_body_on_the_upload_api_is_415_for_a_type_that_takes_only_forms()
    {
        var repository = await RepositoryAsync("file");

        using var response = await PostRawAsync(repository.Name, "?filename=a.txt", [1]);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("multipart/form-data", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_multipart_form_is_415_for_a_type_that_takes_only_raw_bodies()
    {
        var repository = await RepositoryAsync(BlobTestType.Name);
        using var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2]), "file", "x.bin" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/default/repositories/{repository.Name}/content") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ContentAppFixture.UploadToken);

        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("request body", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_promotion_selects_through_the_types_selector()
    {
        var source = await RepositoryAsync(BlobTestType.Name);
        foreach (var version in new[] { 1, 2, 3 })
        {
            using var uploaded = await PostRawAsync(source.Name, $"?filename=app&name=app&version={version}", [(byte)version]);
            Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        }

        var target = await RepositoryAsync(BlobTestType.Name);
        var outcome = await app.Get<PromotionService>().PromoteAsync(source.Id, null, target.Id, BlobTestType.Name,
            new PromotionSelect { Names = ["app>=2"] }, PromotionMode.Merge, CancellationToken.None);

        Assert.Equal(["blobs/app-2", "blobs/app-3"], (await ListAsync(app, target.Id, outcome.Target.Version)).Keys);
    }

    [Fact]
    public void A_type_may_claim_only_a_first_segment_packyard_api_reserves()
    {
        var claimsBlobs = BlobTestType.Plugin with { Name = "other", RootRoutes = new Claim("blobs") };

        var error = Assert.Throws<InvalidOperationException>(() => new ContentTypeRegistry([claimsBlobs]));

        Assert.Contains("'blobs'", error.Message);
        Assert.Contains("ReservedPaths", error.Message);
    }

    [Fact]
    public void Two_types_may_not_claim_the_same_first_segment()
    {
        var second = BlobTestType.Plugin with { Name = "other", RootRoutes = new Claim("V2") };

        var error = Assert.Throws<InvalidOperationException>(() => new ContentTypeRegistry([BlobTestType.Plugin, second]));

        Assert.Contains("both claim", error.Message);
    }

    private sealed class Claim(string segment) : IRootRoutes
    {
        public IReadOnlyList<string> FirstSegments { get; } = [segment];

        public Task<bool> TryServeAsync(RootRouteContext context, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    private async Task<(long Id, string Name)> RepositoryAsync(string type)
    {
        var name = $"{type}-{Guid.NewGuid():N}";
        var id = await app.Catalog.EnsureRepositoryAsync("default", name, type, CancellationToken.None);
        await app.Catalog.SetUploadsEnabledAsync(id, true, CancellationToken.None);
        return (id, name);
    }

    private async Task<List<long>> NumbersAfterZeroAsync(long repositoryId) =>
        [.. (await NumbersAsync(app, repositoryId)).Where(number => number > 0)];

    private async Task<HttpResponseMessage> PostRawAsync(string repository, string query, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/default/repositories/{repository}/content{query}")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ContentAppFixture.UploadToken);
        return await app.Http.SendAsync(request);
    }
}
