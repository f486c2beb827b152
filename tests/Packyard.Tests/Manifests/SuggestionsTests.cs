using Packyard.Manifests;

namespace Packyard.Tests.Manifests;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("debian", "debian", 0)]
    [InlineData("debain", "debian", 1)] // neighbours swapped: one edit
    [InlineData("debin", "debian", 1)]
    [InlineData("deebiann", "debian", 2)]
    [InlineData("ubuntu", "debian", 3)] // past the bound: reported as bound + 1
    [InlineData("", "ab", 2)]
    public void Distance_counts_insertions_deletions_substitutions_and_swaps(string a, string b, int distance)
    {
        Assert.Equal(distance, Suggestions.Distance(a, b));
        Assert.Equal(distance, Suggestions.Distance(b, a));
    }

    [Fact]
    public void The_nearest_candidate_wins_and_ties_go_to_the_first_in_ordinal_order()
    {
        Assert.Equal("; did you mean \"prod\"?", Suggestions.DidYouMean("prd", ["staging", "prod", "prod2"], quoted: true));
        Assert.Equal("; did you mean bar?", Suggestions.DidYouMean("baz", ["bat", "bar"]));
        Assert.Equal("", Suggestions.DidYouMean("same", ["same"])); // an exact name is no typo
        Assert.Equal("", Suggestions.DidYouMean("x", []));
    }
}
