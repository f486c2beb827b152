using Packyard.Api.Resources;
using Packyard.Engine.Promotions;
using Packyard.Engine.Versions;
using Packyard.Tests.Infrastructure;
using static Packyard.Tests.Versions.VersionContent;

namespace Packyard.Tests.Versions;

public sealed class PromotionServiceTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    private static readonly (string Path, string Content)[] SourceFiles =
    [
        ("hello.txt", "hello"),
        ("docs/guide.md", "# guide"),
        ("docs/api/ref.md", "# reference"),
        ("docs/api/notes.txt", "notes"),
        ("tools/x.txt", "x"),
        ("tools/y.bin", "y"),
    ];

    private PromotionService Promotions => engine.Get<PromotionService>();

    private static FileUpstream Upstream()
    {
        var upstream = new FileUpstream();
        foreach (var (path, content) in SourceFiles)
        {
            upstream.Put(path, content);
        }

        return upstream.WriteManifest();
    }

    private async Task<long> SourceAsync(FileUpstream upstream)
    {
        var (repositoryId, sync) = await MirrorAsync(engine, upstream);
        Assert.Equal(1, (await sync()).Version);
        return repositoryId;
    }

    private Task<PromotionOutcome> PromoteAsync(long source, long target, PromotionSelect? select, PromotionMode mode = PromotionMode.Merge, long? sourceVersion = null) =>
        Promotions.PromoteAsync(source, sourceVersion, target, "file", select, mode, CancellationToken.None);

    private static PromotionSelect? Select(string names, string paths) => names.Length == 0 && paths.Length == 0 ? null : new PromotionSelect
    {
        Names = names.Length == 0 ? null : [.. names.Split('|')],
        Paths = paths.Length == 0 ? null : [.. paths.Split('|')],
    };

    [Theory]
    [InlineData("hello.txt", "", "hello.txt")] // a file name at the top
    [InlineData("guide.md", "", "docs/guide.md")] // a file name in a folder
    [InlineData("docs/api/ref.md", "", "docs/api/ref.md")] // a relative path
    [InlineData("hello.txt|tools/y.bin", "", "hello.txt|tools/y.bin")]
    [InlineData("", "docs/*.md", "docs/guide.md")] // * stays within a folder
    [InlineData("", "docs/**", "docs/api/notes.txt|docs/api/ref.md|docs/guide.md")]
    [InlineData("", "**/*.txt", "docs/api/notes.txt|hello.txt|tools/x.txt")] // **/ matches zero or more folders
    [InlineData("", "tools/?.bin", "tools/y.bin")]
    [InlineData("ref.md|guide.md", "docs/api/*", "docs/api/ref.md")] // names and paths must both match
    [InlineData("", "", "docs/api/notes.txt|docs/api/ref.md|docs/guide.md|hello.txt|tools/x.txt|tools/y.bin")] // no select: everything
    public async Task Merge_copies_the_selected_units_into_a_new_target_version(string names, string paths, string expected)
    {
        using var upstream = Upstream();
        var source = await SourceAsync(upstream);
        var target = await NewRepositoryAsync(engine, "target");

        var outcome = await PromoteAsync(source, target, Select(names, paths));

        var selected = expected.Split('|');
        Assert.Equal((1L, new VersionOutcome(1, true, selected.Length, 0, selected.Length)), (outcome.SourceVersion, outcome.Target));
        Assert.Equal(Expected([.. SourceFiles.Where(f => selected.Contains(f.Path))]), await ListAsync(engine, target, 1));
    }

    [Fact]
    public async Task Promoting_again_creates_no_version()
    {
        using var upstream = Upstream();
        var source = await SourceAsync(upstream);
        var target = await NewRepositoryAsync(engine, "target");
        var select = new PromotionSelect { Names = ["hello.txt", "docs/guide.md"] };
        await PromoteAsync(source, target, select);

        var again = await PromoteAsync(source, target, select);
        var replaceAgain = await PromoteAsync(source, target, select, PromotionMode.Replace);

        Assert.Equal(new VersionOutcome(1, false, 0, 0, 2), again.Target);
        Assert.Equal(new VersionOutcome(1, false, 0, 0, 2), replaceAgain.Target);
        Assert.Equal([0L, 1L], await NumbersAsync(engine, target));
    }

    [Fact]
    public async Task Merge_keeps_other_target_units_and_replaces_the_ones_at_the_same_path()
    {
        using var upstream = Upstream();
        var source = await SourceAsync(upstream);
        var target = await NewRepositoryAsync(engine, "target");
        await UploadAsync(engine, target, "own.txt", "the target's own");
        await UploadAsync(engine, target, "hello.txt", "an older hello");

        var outcome = await PromoteAsync(source, target, new PromotionSelect { Names = ["hello.txt", "guide.md"] });

        Assert.Equal(new VersionOutcome(3, true, 2, 1, 3), outcome.Target);
        Assert.Equal(Expected(("docs/guide.md", "# guide"), ("hello.txt", "hello"), ("own.txt", "the target's own")), await ListAsync(engine, target, 3));
    }

    [Fact]
    public async Task Replace_makes_the_target_exactly_the_selection()
    {
        using var upstream = Upstream();
        var source = await SourceAsync(upstream);
        var target = await NewRepositoryAsync(engine, "target");
        await UploadAsync(engine, target, "own.txt", "the target's own");
        await UploadAsync(engine, target, "hello.txt", "an older hello");
        await PromoteAsync(source, target, new PromotionSelect { Paths = ["tools/*"] });

        var outcome = await PromoteAsync(source, target, new PromotionSelect { Names = ["hello.txt", "guide.md", "tools/x.txt"] }, PromotionMode.Replace);

        // Removed: own.txt, the older hello.txt, tools/y.bin; added: hello.txt, docs/guide.md (tools/x.txt was there).
        Assert.Equal(new VersionOutcome(4, true, 2, 3, 3), outcome.Target);
        Assert.Equal(Expected(("docs/guide.md", "# guide"), ("hello.txt", "hello"), ("tools/x.txt", "x")), await ListAsync(engine, target, 4));
        Assert.Equal(Expected(("hello.txt", "an older hello"), ("own.txt", "the target's own"), ("tools/x.txt", "x"), ("tools/y.bin", "y")),
            await ListAsync(engine, target, 3));
    }

    [Fact]
    public async Task A_pinned_source_version_promotes_exactly_that_content_after_the_source_moved_on()
    {
        using var upstream = new FileUpstream().Put("app.txt", "app 1.0").Put("lib.txt", "lib 1.0").WriteManifest();
        var (source, sync) = await MirrorAsync(engine, upstream);
        await sync();
        upstream.Put("app.txt", "app 2.0").Remove("lib.txt").Put("new.txt", "new in 2").WriteManifest();
        Assert.Equal(2, (await sync()).Version);
        var pinnedTarget = await NewRepositoryAsync(engine, "target");
        var latestTarget = await NewRepositoryAsync(engine, "target");

        var pinned = await PromoteAsync(source, pinnedTarget, null, PromotionMode.Replace, sourceVersion: 1);
        var latest = await PromoteAsync(source, latestTarget, null, PromotionMode.Replace);

        Assert.Equal((1L, 2L), (pinned.SourceVersion, latest.SourceVersion));
        Assert.Equal(Expected(("app.txt", "app 1.0"), ("lib.txt", "lib 1.0")), await ListAsync(engine, pinnedTarget, 1));
        Assert.Equal(Expected(("app.txt", "app 2.0"), ("new.txt", "new in 2")), await ListAsync(engine, latestTarget, 1));
    }

    [Fact]
    public async Task A_pruned_source_version_is_reported_and_the_target_is_untouched()
    {
        using var upstream = new FileUpstream().Put("app.txt", "app 1.0").WriteManifest();
        var (source, sync) = await MirrorAsync(engine, upstream);
        await sync();
        upstream.Put("app.txt", "app 2.0").WriteManifest();
        await sync();
        upstream.Put("app.txt", "app 3.0").WriteManifest();
        await sync();
        Assert.Equal(3, await engine.Get<VersionPruner>().PruneAsync(source, "source", 1, CancellationToken.None));
        var target = await NewRepositoryAsync(engine, "target");

        var pruned = await Assert.ThrowsAsync<SourceVersionNotFoundException>(() => PromoteAsync(source, target, null, sourceVersion: 1));
        var neverCreated = await Assert.ThrowsAsync<SourceVersionNotFoundException>(() => PromoteAsync(source, target, null, sourceVersion: 99));

        Assert.Contains("source version 1 ", pruned.Message);
        Assert.Contains("spec.sourceVersion", pruned.Message);
        Assert.Contains("source version 99 ", neverCreated.Message);
        Assert.Equal([0L], await NumbersAsync(engine, target));
    }
}
