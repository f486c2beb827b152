using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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
        server.MapPackyardContent();
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
