using Packyard.Api.Resources;
using Packyard.Engine.Promotions;
using Packyard.Tests.Infrastructure;
using static Packyard.Tests.Versions.VersionContent;

namespace Packyard.Tests.Container.Promotion;

/// <summary>
/// The next variant of a container tag glob matching nothing: a file promotion whose name or paths select nothing fails the same
/// way, naming what matched nothing, and the target is untouched (a typo must not pass as "nothing to promote", nor empty a
/// Replace target).
/// </summary>
public sealed class PromotionSelectionTests(EngineFixture engine) : IClassFixture<EngineFixture>
{
    [Theory]
    [InlineData("hello.txt|nope.txt", "", "spec.select.names: 'nope.txt' matches nothing in source version 1")]
    [InlineData("nope.txt|gone.md", "", "spec.select.names: 'nope.txt', 'gone.md' match nothing in source version 1")]
    [InlineData("", "*.tar.gz", "spec.select matches nothing in source version 1")]
    [InlineData("guide.md", "tools/*", "spec.select matches nothing in source version 1")] // the name matches, the paths exclude it
    public async Task A_file_selection_matching_nothing_fails_naming_it_and_the_target_is_untouched(string names, string paths, string message)
    {
        using var upstream = new FileUpstream().Put("hello.txt", "hello").Put("docs/guide.md", "# guide").Put("tools/x.txt", "x").WriteManifest();
        var (source, sync) = await MirrorAsync(engine, upstream);
        await sync();
        var target = await NewRepositoryAsync(engine, "target");
        await UploadAsync(engine, target, "own.txt", "the target's own");
        var select = new PromotionSelect { Names = names.Length == 0 ? null : [.. names.Split('|')], Paths = paths.Length == 0 ? null : [.. paths.Split('|')] };

        var error = await Assert.ThrowsAsync<NothingSelectedException>(() =>
            engine.Get<PromotionService>().PromoteAsync(source, null, target, "file", select, PromotionMode.Replace, CancellationToken.None));

        Assert.Equal(message, error.Message);
        Assert.Equal([0L, 1L], await NumbersAsync(engine, target));
    }
}
