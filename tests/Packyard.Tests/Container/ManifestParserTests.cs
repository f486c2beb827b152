using System.Text;
using Packyard.Content.Container;

namespace Packyard.Tests.Container;

public sealed class ManifestParserTests
{
    private const string Config = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Layer = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private const string Child = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    private static ParsedManifest Parse(string json, string? contentType = null) => ManifestParser.Parse(Encoding.UTF8.GetBytes(json), null, contentType, "test:1");

    [Theory]
    [InlineData("application/vnd.oci.image.manifest.v1+json")]
    [InlineData("application/vnd.docker.distribution.manifest.v2+json")]
    public void Image_manifests_give_config_and_layers_as_blobs(string mediaType)
    {
        var manifest = Parse($$"""{"schemaVersion":2,"mediaType":"{{mediaType}}","config":{"mediaType":"c","digest":"{{Config}}","size":3},"layers":[{"mediaType":"l","digest":"{{Layer}}","size":9}]}""");

        Assert.Equal(mediaType, manifest.MediaType);
        Assert.False(manifest.IsIndex);
        Assert.Equal([Config, Layer], manifest.Blobs.Select(b => b.Digest));
        Assert.Equal("c", manifest.ArtifactType);
    }

    [Theory]
    [InlineData("application/vnd.oci.image.index.v1+json")]
    [InlineData("application/vnd.docker.distribution.manifest.list.v2+json")]
    public void Indexes_give_children_with_platforms(string mediaType)
    {
        var manifest = Parse($$$"""{"schemaVersion":2,"mediaType":"{{{mediaType}}}","manifests":[{"mediaType":"x","digest":"{{{Child}}}","size":5,"platform":{"os":"linux","architecture":"arm","variant":"v7"}}]}""");

        Assert.True(manifest.IsIndex);
        var child = Assert.Single(manifest.Children);
        Assert.Equal(new OciPlatform("linux", "arm", "v7"), child.Platform);
        Assert.Empty(manifest.Blobs);
    }

    [Fact]
    public void Media_type_comes_from_the_body_then_the_shape_when_the_body_names_none()
    {
        Assert.Equal(OciMediaTypes.ImageIndex, Parse($$"""{"schemaVersion":2,"manifests":[]}""").MediaType);
        Assert.Equal(OciMediaTypes.ImageManifest, Parse($$"""{"schemaVersion":2,"config":{"mediaType":"c","digest":"{{Config}}","size":3},"layers":[]}""").MediaType);
    }

    [Fact]
    public void An_artifact_with_subject_and_artifactType_passes()
    {
        var manifest = Parse($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.helm.chart","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{{{Config}}}","size":2},"layers":[],"subject":{"mediaType":"m","digest":"{{{Child}}}","size":7},"annotations":{"org.example":"yes"}}""");

        Assert.Equal("application/vnd.cncf.helm.chart", manifest.ArtifactType);
        Assert.Equal(Child, manifest.Subject!.Digest);
        Assert.Equal("yes", manifest.Annotations!["org.example"]);
    }

    [Theory]
    [InlineData("""{"schemaVersion":1,"name":"x","fsLayers":[]}""", null)]
    [InlineData("""{"schemaVersion":2}""", "application/vnd.docker.distribution.manifest.v1+prettyjws")]
    public void Schema_1_is_refused(string json, string? contentType)
    {
        var error = Assert.Throws<ManifestException>(() => Parse(json, contentType));
        Assert.Contains("schema 1 is not supported", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("test:1:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("""{"schemaVersion":2,"mediaType":"text/html"}""", "unsupported manifest media type 'text/html'")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}""", "has no config")]
    [InlineData("""{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:abc","size":1}]}""", "not a sha256 digest")]
    [InlineData("""{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:3333333333333333333333333333333333333333333333333333333333333333","size":-1}]}""", "no valid size")]
    [InlineData("""{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"md5:d41d8cd98f00b204e9800998ecf8427e","size":1}]}""", "digest algorithm 'md5' is not supported")]
    public void Malformed_manifests_are_refused_naming_the_problem(string json, string expected)
    {
        var error = Assert.Throws<ManifestException>(() => Parse(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_not_matching_the_digest_asked_for_are_refused()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"manifests":[]}""");
        var error = Assert.Throws<ArtifactDigestException>(() => ManifestParser.Parse(bytes, Child, null, "test:1"));
        Assert.Contains(Child, error.Message, StringComparison.Ordinal);
        Assert.Equal(OciDigest.Of(bytes), ManifestParser.Parse(bytes, OciDigest.Of(bytes), null, "x").Digest);
    }

    [Fact]
    public void Oversized_manifest_is_refused_before_parsing()
    {
        var error = Assert.Throws<ManifestException>(() => ManifestParser.Parse(new byte[ManifestParser.MaxManifestBytes + 1], null, null, "test:1"));
        Assert.Contains("exceeds the limit", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256:3333333333333333333333333333333333333333333333333333333333333333", null)]
    [InlineData("sha256:33333333333333333333333333333333333333333333333333333333333333", "not a sha256 digest")]
    [InlineData("sha256:333333333333333333333333333333333333333333333333333333333333333G", "not a sha256 digest")]
    [InlineData("SHA256:3333333333333333333333333333333333333333333333333333333333333333", "not supported")]
    [InlineData("sha512:33", "digest algorithm 'sha512' is not supported")]
    [InlineData("3333", "not a digest")]
    [InlineData("", "missing")]
    public void Digests_must_be_lower_case_sha256(string digest, string? problem)
    {
        if (problem is null)
        {
            Assert.Null(OciDigest.Problem(digest));
        }
        else
        {
            Assert.Contains(problem, OciDigest.Problem(digest), StringComparison.Ordinal);
        }
    }
}
