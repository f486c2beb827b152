using System.Net;

namespace Packyard.Tests.Deb;

/// <summary>
/// What a person needs to point apt at a distribution: <c>key.asc</c> and a ready <c>packyard.sources</c> (deb822, key inline),
/// used as they are by a real apt-get.
/// </summary>
public sealed class DebClientSetupTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    [Fact]
    public async Task The_served_sources_file_alone_lets_apt_update_verify_and_download_from_a_signed_distribution()
    {
        await using var hello = await HelloDistribution.CreateAsync(fixture, "setup");
        await hello.SyncAndPublishAsync();

        var key = await fixture.Http.GetStringAsync($"/{hello.BasePath}/key.asc");
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", key, StringComparison.Ordinal);
        var sources = await fixture.Http.GetStringAsync($"/{hello.BasePath}/packyard.sources");
        Assert.Contains($"URIs: {fixture.Http.BaseAddress}{hello.BasePath}/\n", sources, StringComparison.Ordinal);
        Assert.Contains("Suites: bookworm\nComponents: main\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n", sources, StringComparison.Ordinal);
        Assert.DoesNotContain("Trusted", sources, StringComparison.Ordinal);

        using var apt = AptClient.WithSourcesFile(sources);
        await apt.UpdateAndDownloadAsync("hello", "hello_2.10-3_amd64.deb");
    }

    [Fact]
    public async Task An_unsigned_distribution_serves_no_key_and_a_sources_file_that_says_so_and_that_apt_still_accepts()
    {
        await using var hello = await HelloDistribution.CreateAsync(fixture, "setup-unsigned");
        await hello.Repository.PublishAsync((await hello.Repository.SyncAsync()).Version, signingKey: null);

        using var noKey = await fixture.Http.GetAsync($"/{hello.BasePath}/key.asc");
        Assert.Equal(HttpStatusCode.NotFound, noKey.StatusCode);
        var sources = await fixture.Http.GetStringAsync($"/{hello.BasePath}/packyard.sources");
        Assert.Contains("# The publication is not signed", sources, StringComparison.Ordinal);
        Assert.Contains("Suites: bookworm\nComponents: main\nTrusted: yes\n", sources, StringComparison.Ordinal);

        using var apt = AptClient.WithSourcesFile(sources);
        Assert.DoesNotContain("\nE:", "\n" + await apt.RunAsync("update"));
        await apt.RunAsync("download", "hello");
        Assert.True(File.Exists(Path.Combine(apt.Downloads, "hello_2.10-3_amd64.deb")));
    }
}
