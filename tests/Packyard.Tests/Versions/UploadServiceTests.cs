using Packyard.Engine.Downloads;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure;
using static Packyard.Tests.Versions.VersionContent;

namespace Packyard.Tests.Versions;

/// <summary>Uploads through <see cref="UploadService"/>, and the versions <see cref="VersionWriter"/> makes of them (Merge by path).</summary>
public sealed class UploadServiceTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    [Fact]
    public async Task Uploading_a_file_at_a_new_path_adds_it_in_a_new_version()
    {
        var repository = await NewRepositoryAsync(engine, "uploads");
        await UploadAsync(engine, repository, "a.txt", "alpha");

        var outcome = await UploadAsync(engine, repository, "b.txt", "beta", relativePath: "dir/b.txt");

        Assert.Equal(new VersionOutcome(2, true, 1, 0, 2), outcome);
        Assert.Equal(Expected(("a.txt", "alpha"), ("dir/b.txt", "beta")), await ListAsync(engine, repository, 2));
    }

    [Fact]
    public async Task Uploading_new_content_at_an_existing_path_is_409_and_the_repository_keeps_the_old_content()
    {
        var repository = await NewRepositoryAsync(engine, "uploads");
        await UploadAsync(engine, repository, "app.txt", "1.0", relativePath: "tools/app.txt");

        var error = await Assert.ThrowsAsync<InvalidUploadException>(() => UploadAsync(engine, repository, "app.txt", "2.0", relativePath: "tools/app.txt"));

        Assert.Equal(409, error.StatusCode);
        Assert.Contains("tools/app.txt", error.Message);
        Assert.Equal([0L, 1L], await NumbersAsync(engine, repository));
        Assert.Equal(Expected(("tools/app.txt", "1.0")), await ListAsync(engine, repository, 1));
    }

    [Fact]
    public async Task Uploading_identical_content_at_the_same_path_creates_no_version()
    {
        var repository = await NewRepositoryAsync(engine, "uploads");
        await UploadAsync(engine, repository, "a.txt", "alpha");

        var again = await UploadAsync(engine, repository, "a.txt", "alpha");

        Assert.Equal(new VersionOutcome(1, false, 0, 0, 1), again);
        Assert.Equal([0L, 1L], await NumbersAsync(engine, repository));
    }

    [Fact]
    public async Task The_same_content_at_another_path_is_another_unit()
    {
        var repository = await NewRepositoryAsync(engine, "uploads");
        await UploadAsync(engine, repository, "a.txt", "same");

        var outcome = await UploadAsync(engine, repository, "copy.txt", "same");

        Assert.Equal(new VersionOutcome(2, true, 1, 0, 2), outcome);
        Assert.Equal(Expected(("a.txt", "same"), ("copy.txt", "same")), await ListAsync(engine, repository, 2));
    }

    [Fact]
    public async Task After_a_refused_replacement_the_original_uploads_again_without_a_version()
    {
        var repository = await NewRepositoryAsync(engine, "uploads");
        await UploadAsync(engine, repository, "a.txt", "one");
        await Assert.ThrowsAsync<InvalidUploadException>(() => UploadAsync(engine, repository, "a.txt", "two"));

        var outcome = await UploadAsync(engine, repository, "a.txt", "one");

        Assert.Equal(new VersionOutcome(1, false, 0, 0, 1), outcome);
        Assert.Equal(Expected(("a.txt", "one")), await ListAsync(engine, repository, 1));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("/etc/passwd")]
    public async Task An_unsafe_relative_path_is_refused_without_a_version(string relativePath)
    {
        var repository = await NewRepositoryAsync(engine, "uploads");

        var error = await Assert.ThrowsAsync<InvalidUploadException>(() => UploadAsync(engine, repository, "x.txt", "x", relativePath));

        Assert.Contains(relativePath, error.Message);
        Assert.Equal([0L], await NumbersAsync(engine, repository));
    }
}
