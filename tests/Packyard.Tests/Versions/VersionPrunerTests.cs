using Npgsql;
using Packyard.Engine.Catalog;
using Packyard.Engine.Publishing;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure;
using static Packyard.Tests.Versions.VersionContent;

namespace Packyard.Tests.Versions;

public sealed class VersionPrunerTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    private VersionPruner Pruner => engine.Get<VersionPruner>();

    /// <summary>
    /// Versions 0–4: 1 adds a.txt, 2 adds b.txt, 3 replaces a.txt, 4 adds c.txt; so version 3 needs rows added in 2 and 3,
    /// and version 1's a.txt is removed in 3.
    /// </summary>
    private async Task<long> FiveVersionsAsync()
    {
        var repository = await NewRepositoryAsync(engine, "pruned");
        await UploadAsync(engine, repository, "a.txt", "a, first");
        await UploadAsync(engine, repository, "b.txt", "b");
        await UploadAsync(engine, repository, "a.txt", "a, second", replace: true);
        Assert.Equal(4, (await UploadAsync(engine, repository, "c.txt", "c")).Version);
        return repository;
    }

    [Fact]
    public async Task Retaining_2_of_5_versions_deletes_the_older_ones_and_keeps_the_newer_ones_complete()
    {
        var repository = await FiveVersionsAsync();

        var pruned = await Pruner.PruneAsync(repository, "pruned", 2, CancellationToken.None);

        Assert.Equal(3, pruned);
        Assert.Equal([3L, 4L], await NumbersAsync(engine, repository));
        Assert.Equal(Expected(("a.txt", "a, second"), ("b.txt", "b")), await ListAsync(engine, repository, 3));
        Assert.Equal(Expected(("a.txt", "a, second"), ("b.txt", "b"), ("c.txt", "c")), await ListAsync(engine, repository, 4));
        Assert.Equal(0, await ScalarAsync("select count(*) from repository_content where repository_id = $1 and version_removed <= 3", repository));
    }

    [Fact]
    public async Task A_retained_version_can_still_be_published_with_all_its_files()
    {
        var repository = await FiveVersionsAsync();
        await Pruner.PruneAsync(repository, "pruned", 2, CancellationToken.None);

        await engine.Get<PublicationService>().PublishAsync(repository, "pruned", "file", 3, PublishOptions.None, CancellationToken.None);

        var manifest = await PublishedManifestAsync(repository, 3);
        Assert.Equal(
            [$"a.txt,{Expected(("a", "a, second"))["a"]},9", $"b.txt,{Expected(("b", "b"))["b"]},1"],
            manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Publications_of_pruned_versions_are_deleted()
    {
        var repository = await FiveVersionsAsync();
        var publications = engine.Get<PublicationService>();
        foreach (var version in (long[])[1, 2, 3, 4])
        {
            await publications.PublishAsync(repository, "pruned", "file", version, PublishOptions.None, CancellationToken.None);
        }

        await Pruner.PruneAsync(repository, "pruned", 2, CancellationToken.None);

        Assert.Equal(2, await ScalarAsync("select count(*) from publications where repository_id = $1", repository));
        Assert.Equal(0, await ScalarAsync("select count(*) from publications where repository_id = $1 and version < 3", repository));
    }

    [Fact]
    public async Task A_version_pinned_by_a_distribution_is_kept_with_its_content()
    {
        var repository = await FiveVersionsAsync();
        await engine.Catalog.UpsertDistributionAsync(
            new DistributionRecord("default", $"pinned-{repository}", $"pinned/{repository}", repository, Version: 1, Checkpoints: false, Guard: null, PullThroughRemoteId: null),
            CancellationToken.None);

        var pruned = await Pruner.PruneAsync(repository, "pruned", 2, CancellationToken.None);

        Assert.Equal(2, pruned);
        Assert.Equal([1L, 3L, 4L], await NumbersAsync(engine, repository));
        Assert.Equal(Expected(("a.txt", "a, first")), await ListAsync(engine, repository, 1));
        Assert.Equal(Expected(("a.txt", "a, second"), ("b.txt", "b")), await ListAsync(engine, repository, 3));
    }

    [Theory]
    [InlineData(0)] // 0 keeps all
    [InlineData(5)] // as many as there are
    [InlineData(10)]
    public async Task Retaining_at_least_as_many_versions_as_exist_prunes_nothing(int retain)
    {
        var repository = await FiveVersionsAsync();

        Assert.Equal(0, await Pruner.PruneAsync(repository, "pruned", retain, CancellationToken.None));
        Assert.Equal([0L, 1L, 2L, 3L, 4L], await NumbersAsync(engine, repository));
    }

    [Fact]
    public async Task Pruning_again_changes_nothing()
    {
        var repository = await FiveVersionsAsync();
        await Pruner.PruneAsync(repository, "pruned", 2, CancellationToken.None);

        Assert.Equal(0, await Pruner.PruneAsync(repository, "pruned", 2, CancellationToken.None));
        Assert.Equal([3L, 4L], await NumbersAsync(engine, repository));
    }

    [Fact]
    public async Task New_versions_after_pruning_continue_the_numbering()
    {
        var repository = await FiveVersionsAsync();
        await Pruner.PruneAsync(repository, "pruned", 2, CancellationToken.None);

        var next = await UploadAsync(engine, repository, "d.txt", "d");

        Assert.Equal(new VersionOutcome(5, true, 1, 0, 4), next);
        Assert.Equal(Expected(("a.txt", "a, second"), ("b.txt", "b"), ("c.txt", "c"), ("d.txt", "d")), await ListAsync(engine, repository, 5));
    }

    private async Task<string> PublishedManifestAsync(long repository, long version)
    {
        await using var command = engine.DataSource.CreateCommand("""
            select pf.sha256 from published_files pf join publications p on p.id = pf.publication_id
            where p.repository_id = $1 and p.version = $2 and pf.relative_path = 'PULP_MANIFEST'
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = repository });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        var sha256 = (string)(await command.ExecuteScalarAsync())!;
        await using var stream = (await engine.Store.OpenReadAsync(sha256, 0, CancellationToken.None))!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private async Task<long> ScalarAsync(string sql, long repository)
    {
        await using var command = engine.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = repository });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
