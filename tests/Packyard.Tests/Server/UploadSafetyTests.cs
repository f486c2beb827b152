using System.Net;

namespace Packyard.Tests.Server;

/// <summary>Uploads that would replace, hide or shadow content, and forms built to exhaust memory.</summary>
public sealed class UploadSafetyTests(ContentAppFixture app) : IClassFixture<ContentAppFixture>
{
    [Fact]
    public async Task A_different_file_at_an_existing_path_is_409_and_the_first_stays_served_while_the_same_file_again_is_200()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        var basePath = ContentAppFixture.UniqueBasePath("safe");
        await app.DistributeAsync(basePath, id);
        using var first = await UploadRequests.PostAsync(app.Http, name, "first"u8.ToArray(), "tool.txt", ("relativePath", "bin/tool.txt"));
        await app.Notifier.Published;

        using var other = await UploadRequests.PostAsync(app.Http, name, "second"u8.ToArray(), "tool.txt", ("relativePath", "bin/tool.txt"));
        using var again = await UploadRequests.PostAsync(app.Http, name, "first"u8.ToArray(), "tool.txt", ("relativePath", "bin/tool.txt"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        var error = await UploadRequests.ErrorAsync(other);
        Assert.Contains("bin/tool.txt", error);
        Assert.Contains("already exists", error);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
        Assert.Equal("first", await app.Http.GetStringAsync($"/{basePath}/bin/tool.txt"));
    }

    [Fact]
    public async Task A_different_file_at_an_existing_path_replaces_it_only_when_the_uploader_asks_with_replace_true()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        var basePath = ContentAppFixture.UniqueBasePath("safe");
        await app.DistributeAsync(basePath, id);
        using var first = await UploadRequests.PostAsync(app.Http, name, "first"u8.ToArray(), "tool.txt", ("relativePath", "bin/tool.txt"));
        await app.Notifier.Published;

        using var replaced = await UploadRequests.PostAsync(app.Http, name, "second"u8.ToArray(), "tool.txt", ("relativePath", "bin/tool.txt"), ("replace", "true"));
        await app.Notifier.Published;

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, replaced.StatusCode));
        Assert.Equal(2, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
        Assert.Equal("second", await app.Http.GetStringAsync($"/{basePath}/bin/tool.txt"));
    }

    [Theory]
    [InlineData("PULP_MANIFEST", "metadata")]
    [InlineData(" ", "blank")]
    [InlineData("docs/ /a.txt", "blank")]
    [InlineData("./a.txt", "'.'")]
    [InlineData("docs/./a.txt", "'.'")]
    [InlineData("docs//a.txt", "empty")]
    [InlineData("docs/", "empty")]
    [InlineData("docs/../a.txt", "..")]
    [InlineData("20250101T000000Z/a.txt", "checkpoint")]
    [InlineData("20250101T000000Z", "checkpoint")]
    [InlineData("api/a.txt", "reserves")]
    [InlineData("healthz", "reserves")]
    [InlineData("V2/blobs/a", "reserves")]
    public async Task A_reserved_or_unreachable_path_is_400_naming_it_and_creates_no_version(string relativePath, string reason)
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadRequests.PostAsync(app.Http, name, "content"u8.ToArray(), "a.txt", ("relativePath", relativePath));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await UploadRequests.ErrorAsync(response);
        Assert.Contains($"'{relativePath}'", error);
        Assert.Contains(reason, error);
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task A_file_name_shaped_like_a_checkpoint_is_refused_as_its_relative_path_would_be()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadRequests.PostAsync(app.Http, name, "content"u8.ToArray(), "20250101T000000Z");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("checkpoint", await UploadRequests.ErrorAsync(response));
    }

    [Fact]
    public async Task An_oversized_form_field_is_400_and_the_answer_does_not_echo_it()
    {
        var (id, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        var marker = "oversized-" + new string('x', 1 << 20);

        using var response = await UploadRequests.PostAsync(app.Http, name, "content"u8.ToArray(), "a.txt", ("relativePath", marker));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("relativePath", body);
        Assert.Contains("1048576 bytes", body);
        Assert.DoesNotContain("oversized-", body);
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    [Fact]
    public async Task Form_fields_larger_than_the_total_bound_together_are_400()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);
        var big = new string('y', 1000 * 1024);

        using var response = await UploadRequests.PostAsync(app.Http, name, "content"u8.ToArray(), "a.txt",
            [.. Enumerable.Range(0, 5).Select(i => ($"field{i}", big))]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await UploadRequests.ErrorAsync(response);
        Assert.Contains("4194304 bytes together", error);
        Assert.DoesNotContain("yyyy", error);
    }

    [Fact]
    public async Task A_form_with_too_many_fields_is_400()
    {
        var (_, name) = await app.UploadRepositoryAsync(uploadsEnabled: true);

        using var response = await UploadRequests.PostAsync(app.Http, name, "content"u8.ToArray(), "a.txt",
            [.. Enumerable.Range(0, 101).Select(i => ($"field{i}", "v"))]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("more than 100 fields", await UploadRequests.ErrorAsync(response));
    }
}
