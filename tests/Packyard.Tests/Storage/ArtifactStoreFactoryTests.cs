using Packyard.Engine.Storage;

namespace Packyard.Tests.Storage;

public sealed class ArtifactStoreFactoryTests
{
    [Theory]
    [InlineData("/var/lib/packyard", "/var/lib/packyard")]
    [InlineData("./data", "./data")]
    [InlineData("file:///var/lib/packyard", "/var/lib/packyard")]
    [InlineData("file://localhost/srv/with%20space", "/srv/with space")]
    public void A_path_or_file_url_selects_the_filesystem_store(string storage, string root)
    {
        var (fileSystem, s3) = ArtifactStoreFactory.Parse(storage);

        Assert.Null(s3);
        Assert.Equal(root, fileSystem?.Root);
    }

    [Fact]
    public void An_s3_url_with_credentials_and_parameters_sets_every_option()
    {
        var (fileSystem, s3) = ArtifactStoreFactory.Parse(
            "s3://AKID:se%2Fcr%40et@127.0.0.1:9000/artifacts?prefix=prod/&region=eu-west-1&tls=false&pathStyle=false&spool=/tmp/spool");

        Assert.Null(fileSystem);
        Assert.NotNull(s3);
        Assert.Equal("http://127.0.0.1:9000", s3.Endpoint);
        Assert.Equal("artifacts", s3.Bucket);
        Assert.Equal("AKID", s3.AccessKey);
        Assert.Equal("se/cr@et", s3.SecretKey);
        Assert.Equal("prod/", s3.Prefix);
        Assert.Equal("eu-west-1", s3.Region);
        Assert.False(s3.ForcePathStyle);
        Assert.Equal("/tmp/spool", s3.SpoolDirectory);
    }

    [Fact]
    public void An_s3_url_without_credentials_or_parameters_uses_https_and_the_defaults()
    {
        var (_, s3) = ArtifactStoreFactory.Parse("s3://s3.example.com/bucket");

        Assert.NotNull(s3);
        Assert.Equal("https://s3.example.com", s3.Endpoint);
        Assert.Equal("bucket", s3.Bucket);
        Assert.Null(s3.AccessKey);
        Assert.Null(s3.SecretKey);
        Assert.Equal("", s3.Prefix);
        Assert.Equal("us-east-1", s3.Region);
        Assert.True(s3.ForcePathStyle);
    }

    [Theory]
    [InlineData("s3://KEY:hunter2@host:9000", "bucket is missing")]
    [InlineData("s3://KEY:hunter2@host:9000/bucket/sub", "?prefix=")]
    [InlineData("s3://KEY:hunter2@host:9000/bucket?tls=maybe", "tls must be true or false")]
    [InlineData("s3://KEY:hunter2@host:9000/bucket?regoin=x", "unknown parameter 'regoin'")]
    [InlineData("s3://KEY:hun/ter2@host:9000/bucket", "Invalid --storage value")]
    [InlineData("s3://hunter2@host:9000/bucket", "ACCESS:SECRET")]
    [InlineData("gs://KEY:hunter2@host/bucket", "unknown scheme 'gs'")]
    [InlineData("file://otherhost/path", "file:///absolute/path")]
    public void A_malformed_value_throws_ArgumentException_that_explains_and_hides_the_secret(string storage, string explanation)
    {
        var error = Assert.Throws<ArgumentException>(() => ArtifactStoreFactory.Parse(storage));

        Assert.Contains(explanation, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromUri_creates_a_filesystem_store_for_a_path()
    {
        var root = Path.Combine(Path.GetTempPath(), "packyard-factory-" + Guid.NewGuid().ToString("N"));

        var store = ArtifactStoreFactory.FromUri(root);

        var fileSystem = Assert.IsType<FileSystemArtifactStore>(store);
        Assert.Equal(root, fileSystem.Root);
    }

    [Fact]
    public void FromUri_creates_an_s3_store_for_an_s3_url()
    {
        var store = ArtifactStoreFactory.FromUri("s3://a:b@127.0.0.1:9000/bucket?tls=false");

        using var s3 = Assert.IsType<S3ArtifactStore>(store);
        Assert.Equal("http://127.0.0.1:9000", s3.Endpoint);
    }
}
