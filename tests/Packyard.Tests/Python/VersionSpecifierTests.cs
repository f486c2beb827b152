using Packyard.Content.Python;

namespace Packyard.Tests.Python;

public sealed class VersionSpecifierTests
{
    [Theory]
    // Compatible release, from PEP 440's examples.
    [InlineData("~=2.2", "2.2", true)]
    [InlineData("~=2.2", "2.9", true)]
    [InlineData("~=2.2", "3.0", false)]
    [InlineData("~=1.4.5", "1.4.9", true)]
    [InlineData("~=1.4.5", "1.5.0", false)]
    [InlineData("~=1.4.5", "1.4.4", false)]
    [InlineData("~=2.2.post3", "2.2.post3", true)]
    [InlineData("~=2.2.post3", "2.3", true)]
    [InlineData("~=2.2.post3", "3.0", false)]
    [InlineData("~=1.4.5a4", "1.4.5", true)]
    [InlineData("~=1.4.5a4", "1.5", false)]
    [InlineData("~=1!1.0", "1!1.5", true)]
    [InlineData("~=1!1.0", "1.5", false)]
    // Version matching, with zero padding and prefix matching.
    [InlineData("==1.1", "1.1.0", true)]
    [InlineData("==1.1.post1", "1.1", false)]
    [InlineData("==1.1.*", "1.1.post1", true)]
    [InlineData("==1.1.*", "1.1a1", true)]
    [InlineData("==1.1.*", "1.2", false)]
    [InlineData("==1.1.*", "1.10", false)]
    [InlineData("==1.4.*", "1.4", true)]
    [InlineData("==1.4.*", "1.4.9+local", true)]
    [InlineData("==1.0", "1.0+local", true)]
    [InlineData("==1.0+local", "1.0", false)]
    [InlineData("==1.0+local", "1.0+LOCAL", true)]
    [InlineData("!=1.1.*", "1.1.post1", false)]
    [InlineData("!=1.1.*", "1.2", true)]
    [InlineData("!=1.1", "1.1.0", false)]
    // Inclusive and exclusive ordered comparison.
    [InlineData(">=1.0", "1.0", true)]
    [InlineData(">=1.0", "1.0+local", true)]
    [InlineData("<=1.0", "1.0+local", true)]
    [InlineData(">1.7", "1.7.1", true)]
    [InlineData(">1.7", "1.7.post2", false)]
    [InlineData(">1.7", "1.7+local", false)]
    [InlineData(">1.7.post2", "1.7.post3", true)]
    [InlineData(">1.7.post2", "1.7.1", true)]
    [InlineData("<1.7", "1.7.0rc1", false)]
    [InlineData("<1.7", "1.6.9", true)]
    [InlineData("<1.7rc2", "1.7rc1", true)]
    // Arbitrary equality.
    [InlineData("===1.0", "1.0", true)]
    [InlineData("===1.0", "1.0.0", false)]
    public void Specifiers_match_versions_as_PEP_440_says(string specifier, string version, bool matches)
    {
        var parsed = VersionSpecifier.TryParse(specifier, out var clause, out var error) ? clause : throw new InvalidOperationException(error);
        Assert.Equal(matches, parsed.Contains(PythonVersion.Parse(version)));
    }

    [Theory]
    [InlineData("~=1")]
    [InlineData(">=1.0.*")]
    [InlineData("<1.0+local")]
    [InlineData("==1.0+local.*")]
    [InlineData("=>1.0")]
    [InlineData("==")]
    public void Invalid_specifiers_are_refused_with_a_reason(string specifier)
    {
        Assert.False(VersionSpecifier.TryParse(specifier, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Prereleases_match_only_when_allowed_or_named_by_a_specifier()
    {
        var rc = PythonVersion.Parse("2.0rc1");
        Assert.False(SpecifierSet.Parse(">=1.0").Contains(rc));
        Assert.True(SpecifierSet.Parse(">=1.0").Contains(rc, prereleases: true));
        Assert.True(SpecifierSet.Parse(">=2.0rc1").Contains(rc));
        Assert.False(SpecifierSet.Parse(">=1.0,!=2.0rc1").Contains(rc, prereleases: true));
    }

    [Fact]
    public void A_specifier_set_requires_every_clause()
    {
        var set = SpecifierSet.Parse(">=1.0, <2.0, !=1.5.*");
        Assert.True(set.Contains(PythonVersion.Parse("1.4")));
        Assert.False(set.Contains(PythonVersion.Parse("1.5.2")));
        Assert.False(set.Contains(PythonVersion.Parse("2.0")));
    }

    [Theory]
    [InlineData("Django>=4.2", "django", ">=4.2")]
    [InlineData("requests", "requests", "")]
    [InlineData("zope.interface [docs] (>=5,<7)", "zope-interface", ">=5,<7")]
    [InlineData("Foo_Bar ==1.0.*", "foo-bar", "==1.0.*")]
    public void Requirements_give_a_normalised_name_and_specifiers(string text, string name, string specifiers)
    {
        var requirement = Requirement.Parse(text);
        Assert.Equal(name, requirement.Name);
        Assert.Equal(specifiers, requirement.Specifiers.ToString());
    }

    [Theory]
    [InlineData("requests; python_version < '3.8'")]
    [InlineData("-requests")]
    [InlineData("requests >= banana")]
    public void Unusable_requirements_are_refused(string text)
    {
        Assert.False(Requirement.TryParse(text, out _, out var error));
        Assert.Contains(text.Trim(), error, StringComparison.Ordinal);
    }
}
