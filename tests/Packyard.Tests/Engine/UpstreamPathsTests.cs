using Packyard.Engine.Downloads;

namespace Packyard.Tests.Engine;

/// <summary>The one rule every URL from upstream metadata goes through: it stays on the Remote's scheme, and file: in its folder.</summary>
public sealed class UpstreamPathsTests
{
    [Theory]
    [InlineData("https://pypi.example/simple/", "https://files.example/packages/a.whl")]
    [InlineData("http://mirror.example/", "http://other.example/a.deb")]
    [InlineData("http://mirror.example/", "https://files.example/a.whl")] // an upgrade reaches nothing local
    [InlineData("file:///srv/upstream/", "file:///srv/upstream/pool/a.deb")]
    public void Links_on_the_Remote_scheme_and_inside_its_folder_are_allowed(string remote, string link) =>
        Assert.Null(UpstreamPaths.UrlProblem(new Uri(remote), new Uri(link)));

    [Theory]
    [InlineData("https://pypi.example/simple/", "file:///etc/passwd", "local files")]
    [InlineData("http://mirror.example/", "file:///srv/upstream/a.deb", "local files")]
    [InlineData("https://pypi.example/simple/", "http://files.example/a.whl", "leaves the Remote's scheme https")]
    [InlineData("https://pypi.example/simple/", "ftp://files.example/a.whl", "leaves the Remote's scheme https")]
    [InlineData("https://pypi.example/simple/", "data:application/octet-stream;base64,AAAA", "leaves the Remote's scheme https")]
    [InlineData("https://pypi.example/simple/", "gopher://files.example/a.whl", "leaves the Remote's scheme https")]
    [InlineData("file:///srv/upstream/", "file:///srv/upstream-evil/a.deb", "outside the Remote's folder")]
    [InlineData("file:///srv/upstream/", "file:///srv/upstream/../secret", "outside the Remote's folder")]
    [InlineData("file:///srv/upstream/", "file:///srv/upstream/%2e%2e/secret", "outside the Remote's folder")]
    [InlineData("file:///srv/upstream/", "file:///etc/passwd", "outside the Remote's folder")]
    [InlineData("file:///srv/upstream/", "file://server/srv/upstream/a.deb", "outside the Remote's folder")]
    [InlineData("file:///srv/upstream/", "https://mirror.example/a.deb", "not to https: URLs")]
    public void Links_off_the_Remote_scheme_or_out_of_its_folder_are_refused(string remote, string link, string reason)
    {
        var problem = UpstreamPaths.UrlProblem(new Uri(remote), new Uri(link));

        Assert.NotNull(problem);
        Assert.Contains(reason, problem);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:text/plain,secret")]
    [InlineData("ftp:secret")]
    [InlineData("gopher://127.0.0.1/secret")]
    public void Relative_paths_shaped_like_URLs_are_refused(string path) =>
        Assert.Equal("path is a URL", UpstreamPaths.Problem(path));

    [Fact]
    public void A_relative_link_is_resolved_against_its_page_and_checked()
    {
        var remote = new Uri("http://mirror.example/simple/");
        var page = new Uri("http://mirror.example/simple/foo/");

        Assert.Equal(new Uri("http://mirror.example/files/foo-1.0.tar.gz"), UpstreamPaths.ResolveLink(remote, page, "../../files/foo-1.0.tar.gz", "simple/foo/"));
        var error = Assert.Throws<InvalidUpstreamMetadataException>(() => UpstreamPaths.ResolveLink(remote, page, "file:///etc/passwd#sha256=00", "simple/foo/"));
        Assert.StartsWith("simple/foo/: refusing link 'file:///etc/passwd#sha256=00'", error.Message);
    }
}
