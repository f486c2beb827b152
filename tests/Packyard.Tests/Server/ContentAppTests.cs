using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Packyard.Server;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Server;

public sealed class ContentAppTests(ContentAppFixture app) : IClassFixture<ContentAppFixture>
{
    [Fact]
    public async Task Healthz_is_200()
    {
        using var response = await app.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_is_200_while_the_database_is_up()
    {
        using var response = await app.Http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_api_path_is_404_and_not_taken_for_content()
    {
        using var response = await app.Http.GetAsync("/api/v1/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("unknown API path", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/HEALTHZ")]
    [InlineData("/Readyz")]
    public async Task Probes_are_reached_whatever_the_case_of_their_path_as_routing_matches(string path)
    {
        using var response = await app.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/v2/library/alpine/manifests/latest")]
    [InlineData("/metrics")]
    [InlineData("/healthz/extra")]
    [InlineData("/API/v1/nothing-here")]
    public async Task Reserved_paths_without_an_endpoint_are_404_not_server_errors(string path)
    {
        using var response = await app.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void The_server_routes_by_the_one_list_of_reserved_first_segments()
    {
        // Content is answered before routing unless its first segment is reserved: Packyard.Api's list, which validate and
        // the Distribution CRD also use (ReservedPathsTests).
        foreach (var segment in Packyard.Api.Resources.ReservedPaths.FirstSegments)
        {
            Assert.True(ContentApp.IsReserved(new PathString($"/{segment}")));
            Assert.True(ContentApp.IsReserved(new PathString($"/{segment}/x/y")));
            Assert.False(ContentApp.IsReserved(new PathString($"/{segment}x/y")));
            Assert.False(ContentApp.IsReserved(new PathString($"/x/{segment}")));
        }
    }

    [Fact]
    public async Task A_base_path_that_only_begins_with_a_reserved_word_is_served_as_content()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var basePath = ContentAppFixture.UniqueBasePath("api");
        await app.DistributeAsync(basePath, repository.Id);

        using var response = await app.Http.GetAsync($"/{basePath}/a.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alpha", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_answers_head_as_probes_and_load_balancers_may_send_it()
    {
        using var response = await app.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_and_content_are_503_naming_the_database_when_it_is_unreachable()
    {
        using var storage = new TemporaryDirectory();
        var url = $"http://127.0.0.1:{HttpUpstream.FreePort()}/";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.Services.AddPackyardEngine($"Host=127.0.0.1;Port={HttpUpstream.FreePort()};Username=nobody;Database=none;Timeout=2", storage.Path);
        builder.Services.AddFileContent();
        builder.Services.AddDebContent();
        builder.Services.AddPackyardContentApp();
        await using var server = builder.Build();
        server.UsePackyardContent();
        await server.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(url) };

            using var ready = await client.GetAsync("/readyz");
            using var healthy = await client.GetAsync("/healthz");
            using var content = await client.GetAsync("/files/quickstart/hello.txt");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("database unavailable", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, content.StatusCode);
            Assert.Contains("metadata database unavailable", await content.Content.ReadAsStringAsync());
            Assert.NotNull(content.Headers.RetryAfter);
        }
        finally
        {
            await server.StopAsync();
        }
    }
}
