using System.Net;

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
}
