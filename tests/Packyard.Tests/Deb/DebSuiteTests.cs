using System.Net;
using System.Security.Cryptography;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Deb;

/// <summary><c>spec.publish.deb.suites</c>: a distribution served under its suite name too, by-hash included, and a clash refused.</summary>
public sealed class DebSuiteTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    private const string StableSuite = """{"byHash":true,"suites":[{"codename":"bookworm","suite":"stable"}]}""";

    [Fact]
    public async Task The_suite_name_serves_every_file_of_the_distribution_by_hash_included_and_nothing_of_another()
    {
        await using var hello = await HelloDistribution.CreateAsync(fixture, "suite");

        await hello.SyncAndPublishAsync(StableSuite);

        var packages = await fixture.Http.GetByteArrayAsync($"/{hello.BasePath}/dists/bookworm/main/binary-amd64/Packages");
        var hash = Convert.ToHexStringLower(SHA256.HashData(packages));
        Assert.Equal(packages, await fixture.Http.GetByteArrayAsync($"/{hello.BasePath}/dists/stable/main/binary-amd64/by-hash/SHA256/{hash}"));
        Assert.Equal(await fixture.Http.GetByteArrayAsync($"/{hello.BasePath}/dists/bookworm/Release.gpg"),
            await fixture.Http.GetByteArrayAsync($"/{hello.BasePath}/dists/stable/Release.gpg"));
        using var unknown = await fixture.Http.GetAsync($"/{hello.BasePath}/dists/testing/Release");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_suite_that_is_also_a_distribution_of_the_packages_fails_the_publish_naming_both_and_keeps_the_previous_publication()
    {
        var upstream = await AptUpstream.CreateAsync();
        await using var _ = upstream;
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        await upstream.IndexAsync("stable", ["main"], ["amd64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm","stable"]}""", upstream.PublicKey);
        var basePath = ContentAppFixture.UniqueBasePath("suite-clash");
        await fixture.DistributeAsync(basePath, repository.Id);
        var version = (await repository.SyncAsync()).Version;
        await repository.PublishAsync(version, upstream.SecretKey);
        var stable = await fixture.Http.GetByteArrayAsync($"/{basePath}/dists/stable/InRelease");
        await upstream.AddAsync("main", "tree", "2.1.0-1", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        await upstream.IndexAsync("stable", ["main"], ["amd64"]);
        var next = (await repository.SyncAsync()).Version;
        Assert.Equal(version + 1, next);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => repository.PublishAsync(next, upstream.SecretKey, StableSuite));

        Assert.Contains("suite 'stable' of 'bookworm' is also a distribution", error.Message, StringComparison.Ordinal);
        Assert.Equal(stable, await fixture.Http.GetByteArrayAsync($"/{basePath}/dists/stable/InRelease"));
    }
}
