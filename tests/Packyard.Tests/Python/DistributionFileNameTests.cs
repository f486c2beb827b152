using Packyard.Content.Python;

namespace Packyard.Tests.Python;

public sealed class DistributionFileNameTests
{
    [Theory]
    [InlineData("Django", "django")]
    [InlineData("zope.interface", "zope-interface")]
    [InlineData("Foo__Bar-.baz", "foo-bar-baz")]
    [InlineData("ruamel.yaml.clib", "ruamel-yaml-clib")]
    [InlineData("-foo-", "-foo-")]
    [InlineData("_Foo.", "-foo-")]
    [InlineData("..a__b--", "-a-b-")]
    [InlineData("already-normal", "already-normal")]
    [InlineData("a--b", "a-b")]
    public void Project_names_normalise_as_PEP_503_says(string name, string normalized)
    {
        Assert.Equal(normalized, ProjectName.Normalize(name));
    }

    [Fact]
    public void A_platform_wheel_names_its_project_version_and_platforms()
    {
        var file = DistributionFileName.TryParse("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", null, out _)!;

        Assert.Equal("numpy", file.Project);
        Assert.Equal("1.26.4", file.Version.Normalized);
        Assert.Equal(DistributionFileName.Wheel, file.PackageType);
        Assert.Equal(["linux"], file.Platforms);
    }

    [Fact]
    public void A_pure_wheel_with_a_build_tag_has_no_platform()
    {
        var file = DistributionFileName.TryParse("zope.interface-6.0-1-py3-none-any.whl", null, out _)!;

        Assert.Equal("zope-interface", file.Project);
        Assert.Empty(file.Platforms);
    }

    [Theory]
    [InlineData("win_amd64", "windows")]
    [InlineData("macosx_11_0_arm64", "macos")]
    [InlineData("musllinux_1_1_aarch64", "linux")]
    [InlineData("any", null)]
    public void Platform_tags_map_to_platform_families(string tag, string? platform)
    {
        Assert.Equal(platform, DistributionFileName.PlatformOf(tag));
    }

    [Fact]
    public void An_sdist_whose_project_has_dashes_splits_at_the_known_project()
    {
        var file = DistributionFileName.TryParse("python-dateutil-2.8.2.tar.gz", "python-dateutil", out _)!;

        Assert.Equal("python-dateutil", file.Project);
        Assert.Equal("2.8.2", file.Version.Normalized);
        Assert.Equal(DistributionFileName.Sdist, file.PackageType);
    }

    [Theory]
    [InlineData("setuptools-0.6c11-py2.7.egg")]
    [InlineData("foo-1.0.win32.exe")]
    [InlineData("foo-1.0-py3-any.whl")]
    [InlineData("nonsense.tar.gz")]
    public void Other_files_are_not_distributions(string fileName)
    {
        Assert.Null(DistributionFileName.TryParse(fileName, null, out var error));
        Assert.Contains(fileName, error, StringComparison.Ordinal);
    }
}
