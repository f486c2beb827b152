using System.Text.Json;
using Packyard.Api.Resources;
using Packyard.Engine.Publishing;
using Packyard.Engine.Tasks;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Deb;

/// <summary>
/// A version published again when its publish options change (<c>publications.options_fingerprint</c>): the deb type, whose
/// Release carries the options, through the engine's <see cref="PublicationService"/>.
/// </summary>
public sealed class DebRepublishTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    private const string Example = """{"origin":"Example","label":"Example","validFor":"7d"}""";

    [Fact]
    public async Task Publishing_a_version_again_with_the_same_options_keeps_its_publication_and_with_changed_options_replaces_it()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);
        var basePath = ContentAppFixture.UniqueBasePath("republish");
        await fixture.DistributeAsync(basePath, repository.Id);
        var version = (await repository.SyncAsync()).Version;

        var first = await repository.PublishAsync(version, upstream.SecretKey, Example);
        Assert.Equal(first, await repository.PublishAsync(version, upstream.SecretKey, Example));
        Assert.Contains("Origin: Example\n", await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/Release"), StringComparison.Ordinal);

        var changed = await repository.PublishAsync(version, upstream.SecretKey, """{"origin":"Changed","label":"Example","validFor":"7d"}""");

        Assert.True(changed > first);
        var release = await fixture.Http.GetStringAsync($"/{basePath}/dists/bookworm/Release");
        Assert.Contains("Origin: Changed\n", release, StringComparison.Ordinal);
        Assert.Equal(1L, await PublicationsAsync(repository.Id, version));
        Assert.Equal(version, (await fixture.Catalog.GetRepositoryStateAsync(repository.Id, 5, CancellationToken.None)).Latest.Number);

        // Another signing key is a change too; the same key and block again is not.
        await using var other = await AptUpstream.CreateAsync("Other");
        var rekeyed = await repository.PublishAsync(version, other.SecretKey, """{"origin":"Changed","label":"Example","validFor":"7d"}""");
        Assert.True(rekeyed > changed);
        Assert.Equal(rekeyed, await repository.PublishAsync(version, other.SecretKey, """{"origin":"Changed","label":"Example","validFor":"7d"}"""));
    }

    [Fact]
    public async Task A_publication_made_before_fingerprints_were_recorded_counts_as_current_and_is_not_published_again()
    {
        await using var upstream = await AptUpstream.CreateAsync();
        await upstream.AddAsync("main", "hello", "2.10-3", "amd64");
        await upstream.IndexAsync("bookworm", ["main"], ["amd64"]);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, """{"distributions":["bookworm"]}""", upstream.PublicKey);
        var version = (await repository.SyncAsync()).Version;
        var first = await repository.PublishAsync(version, upstream.SecretKey, Example);
        await using (var legacy = fixture.DataSource.CreateCommand($"update publications set options_fingerprint = null where repository_id = {repository.Id}"))
        {
            await legacy.ExecuteNonQueryAsync();
        }

        Assert.Equal(first, await repository.PublishAsync(version, upstream.SecretKey, """{"origin":"Changed"}"""));
    }

    [Fact]
    public void The_fingerprint_a_worker_computes_from_the_task_args_equals_the_controllers_so_a_publish_is_never_repeated()
    {
        var key = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nnot a real key\n"u8.ToArray();
        var block = TypeOptionsJson.Read<PublishTypeOptions>("deb",
            """{"origin":"Example","label":"Example Label","validFor":"7d","byHash":true,"byHashRetention":"2d","xzPreset":6,"suites":[{"codename":"bookworm","suite":"stable"}]}""");
        var controller = new PublishOptions(key, block);

        // What the worker gets: the task args through the tasks table's JSON, the key as the sealed text carries it.
        var json = JsonSerializer.Serialize(new PublishTaskArgs("default/example", "deb", 3, Convert.ToBase64String(key), block), TaskJsonContext.Default.PublishTaskArgs);
        var args = JsonSerializer.Deserialize(json, TaskJsonContext.Default.PublishTaskArgs)!;
        var worker = new PublishOptions(Convert.FromBase64String(args.SealedSigningKey!), args.TypeOptions);

        Assert.Equal(PublishOptionsFingerprint.Of(controller), PublishOptionsFingerprint.Of(worker));
        Assert.NotEqual(PublishOptionsFingerprint.Of(controller), PublishOptionsFingerprint.Of(controller with { SigningKey = null }));
        Assert.NotEqual(PublishOptionsFingerprint.Of(controller), PublishOptionsFingerprint.Of(PublishOptions.None));
        Assert.DoesNotContain("not a real key", PublishOptionsFingerprint.Of(controller), StringComparison.Ordinal);
    }

    private async Task<long> PublicationsAsync(long repositoryId, long version)
    {
        await using var command = fixture.DataSource.CreateCommand($"select count(*) from publications where repository_id = {repositoryId} and version = {version}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
