using Packyard.Content.Python;

namespace Packyard.Tests.Python;

public sealed class PythonVersionTests
{
    // PEP 440, "Summary of permitted suffixes and relative ordering", in ascending order.
    private static readonly string[] PepOrdering =
    [
        "1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
        "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15",
        "1.1.dev1",
    ];

    [Fact]
    public void Versions_sort_in_the_order_given_by_PEP_440()
    {
        var parsed = PepOrdering.Select(PythonVersion.Parse).ToList();
        var shuffled = parsed.OrderBy(_ => Guid.NewGuid()).ToList();
        shuffled.Sort();

        Assert.Equal(PepOrdering, shuffled.Select(v => v.ToString()));
        for (var i = 1; i < parsed.Count; i++)
        {
            Assert.True(parsed[i - 1] < parsed[i], $"{parsed[i - 1]} < {parsed[i]}");
        }
    }

    [Fact]
    public void An_epoch_outranks_every_release()
    {
        Assert.True(PythonVersion.Parse("1!1.0") > PythonVersion.Parse("2013.10"));
        Assert.True(PythonVersion.Parse("2013.10") < PythonVersion.Parse("1!0.1"));
    }

    [Theory]
    [InlineData("1.0RC1", "1.0rc1")]
    [InlineData("1.0c1", "1.0rc1")]
    [InlineData("1.0-pre1", "1.0rc1")]
    [InlineData("1.0preview2", "1.0rc2")]
    [InlineData("1.0alpha", "1.0a0")]
    [InlineData("1.0.beta.3", "1.0b3")]
    [InlineData("1.0-1", "1.0.post1")]
    [InlineData("1.0-r4", "1.0.post4")]
    [InlineData("1.0.rev", "1.0.post0")]
    [InlineData("1.0.post.2", "1.0.post2")]
    [InlineData("1.0-dev", "1.0.dev0")]
    [InlineData("v1.0", "1.0")]
    [InlineData(" 1.0 ", "1.0")]
    [InlineData("01.02.003", "1.2.3")]
    [InlineData("1.0+ubuntu-1", "1.0+ubuntu.1")]
    [InlineData("1.0+Local_007", "1.0+local.7")]
    [InlineData("0!1.0", "1.0")]
    [InlineData("2!1.0a1.post2.dev3+x", "2!1.0a1.post2.dev3+x")]
    public void Alternative_spellings_normalise_as_PEP_440_says(string text, string normalized)
    {
        Assert.Equal(normalized, PythonVersion.Parse(text).Normalized);
    }

    [Theory]
    [InlineData("1.0", "1.0.0")]
    [InlineData("1.0", "1")]
    [InlineData("1.0rc1", "1.0c1")]
    [InlineData("1.0.post0", "1.0-0")]
    public void Zero_padded_and_alternative_spellings_are_equal(string left, string right)
    {
        Assert.Equal(PythonVersion.Parse(left), PythonVersion.Parse(right));
        Assert.Equal(PythonVersion.Parse(left).GetHashCode(), PythonVersion.Parse(right).GetHashCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.0-")]
    [InlineData("french toast")]
    [InlineData("1.0+")]
    [InlineData("1.0+a..b")]
    [InlineData("1..0")]
    [InlineData("1.0.dev1.dev2")]
    public void Invalid_versions_are_refused(string text)
    {
        Assert.False(PythonVersion.TryParse(text, out _));
    }

    [Fact]
    public void Dev_and_pre_releases_are_prereleases_but_post_releases_are_not()
    {
        Assert.True(PythonVersion.Parse("1.0.dev1").IsPrerelease);
        Assert.True(PythonVersion.Parse("1.0rc1").IsPrerelease);
        Assert.True(PythonVersion.Parse("1.0.post1.dev1").IsPrerelease);
        Assert.False(PythonVersion.Parse("1.0.post1").IsPrerelease);
    }
}
