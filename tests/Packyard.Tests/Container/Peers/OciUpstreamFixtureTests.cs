using Packyard.Tests.Infrastructure;
using Packyard.Tests.Infrastructure.Oci;

namespace Packyard.Tests.Container.Peers;

/// <summary>The shared upstream fixture holds the standard content, identically in its anonymous and token-protected registries.</summary>
public sealed class OciUpstreamFixtureTests(OciUpstreamFixture upstream) : IClassFixture<OciUpstreamFixture>
{
    [Fact]
    public async Task Both_registries_serve_the_standard_content_with_equal_digests()
    {
        using var anonymous = new OciRegistryClient(upstream.Anonymous.Address);
        using var authenticated = new OciRegistryClient(upstream.Protected.Address, OciUpstreamFixture.Credentials.User, OciUpstreamFixture.Credentials.Password);

        foreach (var client in new[] { anonymous, authenticated })
        {
            Assert.Equal(upstream.App.Digest, (await client.GetManifestAsync("library/app", "1.0")).Digest);
            Assert.Equal(upstream.App2.Digest, (await client.GetManifestAsync("library/app", "2.0")).Digest);
            Assert.Equal(["linux/amd64", "linux/arm64"], (await client.GetManifestAsync("library/multi", "1.0")).Children.Select(c => c.Platform));
            Assert.Equal(OciTestMediaTypes.DockerManifest, (await client.GetManifestAsync("library/docker", "1.0")).MediaType);
            Assert.Equal(upstream.DockerList.Digest, (await client.GetManifestAsync("library/docker", "list")).Digest);
            Assert.Equal(upstream.App.Digest, (await client.GetManifestAsync("library/app", upstream.Sbom.Digest)).Subject!.Digest);
            Assert.Equal(
                ["1.0", "2.0", $"sha256-{upstream.App.Hex}", $"sha256-{upstream.App.Hex}.sig"],
                (await client.ListTagsAsync("library/app")).Order(StringComparer.Ordinal));
        }

        Assert.True(authenticated.TokenRequests > 0);
    }

    [Fact]
    public void App_2_0_is_built_on_the_layers_of_1_0()
    {
        Assert.Equal(3, upstream.App.Layers.Count);
        Assert.Equal(upstream.App.Layers, upstream.App2.Layers.Take(3));
        Assert.Equal(4, upstream.App2.Layers.Count);
    }

    [Fact]
    public async Task Skopeo_sync_copies_every_tag_of_the_protected_repository()
    {
        using var work = new TemporaryDirectory();

        await OciTool.SkopeoAsync(["sync", "--src", "docker", "--dest", "dir", "--src-tls-verify=false", "--retry-times", "0",
            "--src-creds", $"{OciUpstreamFixture.Credentials.User}:{OciUpstreamFixture.Credentials.Password}",
            $"{upstream.Protected.Host}/library/app", work.Path], TimeSpan.FromMinutes(1));

        var synced = Directory.GetDirectories(work.Path, "*", SearchOption.AllDirectories).Where(d => Path.GetFileName(d)!.Contains(':', StringComparison.Ordinal)).Select(d => Path.GetFileName(d)!.Split(':')[^1]).Order(StringComparer.Ordinal);
        Assert.Equal(["1.0", "2.0", $"sha256-{upstream.App.Hex}", $"sha256-{upstream.App.Hex}.sig"], synced);
    }
}
