using Packyard.Content.Container;

namespace Packyard.Tests.Container;

public sealed class ContainerFilterTests
{
    [Theory]
    [InlineData("1.25", true)]
    [InlineData("1.25-rc1", false)]
    [InlineData("latest", true)]
    [InlineData("2.0", false)]
    [InlineData("1", false)]
    [InlineData("x1.2", false)]
    public void Tag_globs_match_whole_tags_and_excludes_win(string tag, bool expected)
    {
        var filter = new TagFilter(["1.*", "latest"], ["*-rc*"]);

        Assert.Equal(expected, filter.Matches(tag));
    }

    [Fact]
    public void Without_globs_every_tag_matches_and_regex_characters_are_literal()
    {
        Assert.True(new TagFilter(null, null).Matches("anything"));
        Assert.False(new TagFilter(["1.0"], null).Matches("1x0"));
        Assert.True(new TagFilter(["v?"], null).Matches("v1"));
        Assert.False(new TagFilter(["v?"], null).Matches("v10"));
    }

    [Theory]
    [InlineData("linux", "amd64", null, true)]
    [InlineData("linux", "arm", "v7", true)]
    [InlineData("linux", "arm", "v6", false)]
    [InlineData("linux", "arm64", "v8", true)]
    [InlineData("windows", "amd64", null, false)]
    [InlineData("unknown", "unknown", null, false)]
    public void Platforms_match_os_architecture_and_a_named_variant(string os, string architecture, string? variant, bool expected)
    {
        var filter = new PlatformFilter(["linux/amd64", "linux/arm/v7", "linux/arm64"]);

        Assert.Equal(expected, filter.Matches(new OciPlatform(os, architecture, variant)));
    }

    [Fact]
    public void No_platform_filter_keeps_everything_and_a_malformed_one_is_refused()
    {
        Assert.True(new PlatformFilter(null).Matches(null));
        var error = Assert.Throws<ContainerOptionsException>(() => new PlatformFilter(["amd64"]));
        Assert.Contains("spec.container.platforms", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("library/nginx", true)]
    [InlineData("a/b.c/d-e/f__g", true)]
    [InlineData("ctr-0123/app", true)]
    [InlineData("../etc", false)]
    [InlineData("a/../b", false)]
    [InlineData("a//b", false)]
    [InlineData("a/./b", false)]
    [InlineData("Upper", false)]
    [InlineData("a/", false)]
    public void Names_follow_the_distribution_spec_grammar(string name, bool valid) => Assert.Equal(valid, OciName.IsValidName(name));

    [Theory]
    [InlineData("https://registry-1.docker.io/", "nginx", "library/nginx")]
    [InlineData("https://registry-1.docker.io/", "bitnami/nginx", "bitnami/nginx")]
    [InlineData("https://quay.io/", "nginx", "nginx")]
    public void Docker_Hub_single_names_get_library(string registry, string name, string expected) =>
        Assert.Equal(expected, OciName.UpstreamRepository(new Uri(registry), name));
}
