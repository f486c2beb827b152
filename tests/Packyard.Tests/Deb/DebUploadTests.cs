using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Packyard.Content.Deb;
using Packyard.Engine.Downloads;
using Packyard.Tests.Server;

namespace Packyard.Tests.Deb;

public sealed class DebUploadTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    [Theory]
    [InlineData("gzip")]
    [InlineData("xz")]
    [InlineData("zstd")]
    public async Task Control_file_is_read_from_a_real_deb_whatever_its_control_tar_compression(string compression)
    {
        await using var builder = await AptUpstream.CreateAsync();
        var deb = await builder.BuildDebAsync("tree", "2.1.0-1", "amd64", compression, source: "tree-src (2.1.0-1)");

        await using var stream = File.OpenRead(deb);
        var control = await DebPackageReader.ReadControlAsync(stream, Path.GetFileName(deb), CancellationToken.None);

        Assert.Equal("tree", control["Package"]);
        Assert.Equal("2.1.0-1", control["Version"]);
        Assert.Equal("tree-src (2.1.0-1)", control["Source"]);
        Assert.Equal("test package tree\n A package built by the Packyard tests.\n .\n It does nothing.", control["Description"]);
    }

    [Fact]
    public async Task A_file_that_is_not_a_deb_is_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidUploadException>(() =>
            DebPackageReader.ReadControlAsync(new MemoryStream(Encoding.ASCII.GetBytes("hello, not a package")), "x.deb", CancellationToken.None));
        Assert.Contains("not a Debian package", error.Message);
    }

    [Fact]
    public async Task Uploaded_deb_is_published_in_stable_main_with_filename_size_and_digests()
    {
        await using var builder = await AptUpstream.CreateAsync();
        var deb = await builder.BuildDebAsync("hello", "1:2.10-3", "amd64", "xz");
        var bytes = await File.ReadAllBytesAsync(deb);
        var name = $"uploads-{Guid.NewGuid():N}";
        var id = await fixture.Catalog.EnsureRepositoryAsync("default", name, "deb", CancellationToken.None);
        await fixture.Catalog.SetUploadsEnabledAsync(id, true, CancellationToken.None);
        var basePath = ContentAppFixture.UniqueBasePath("uploads");
        await fixture.DistributeAsync(basePath, id);

        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "whatever.deb" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/default/repositories/{name}/content") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ContentAppFixture.UploadToken);
        using var response = await fixture.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await fixture.Notifier.Published;

        var packages = await fixture.Http.GetStringAsync($"/{basePath}/dists/stable/main/binary-amd64/Packages");
        Assert.Contains("Package: hello\n", packages);
        Assert.Contains("Version: 1:2.10-3\n", packages);
        Assert.Contains("Filename: pool/main/h/hello/hello_2.10-3_amd64.deb\n", packages);
        Assert.Contains($"Size: {bytes.Length}\n", packages);
        Assert.Contains($"MD5sum: {Convert.ToHexStringLower(MD5.HashData(bytes))}\n", packages);
        Assert.Contains($"SHA256: {Convert.ToHexStringLower(SHA256.HashData(bytes))}\n", packages);

        var release = await fixture.Http.GetStringAsync($"/{basePath}/dists/stable/Release");
        Assert.Contains("Components: main\n", release);
        Assert.Contains("Architectures: amd64\n", release);
        Assert.Contains("Acquire-By-Hash: yes\n", release);
        Assert.Contains($" {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(packages)))} ", release);

        using var poolFile = await fixture.Http.GetAsync($"/{basePath}/pool/main/h/hello/hello_2.10-3_amd64.deb");
        Assert.Equal(HttpStatusCode.OK, poolFile.StatusCode);
        Assert.Equal(bytes, await poolFile.Content.ReadAsByteArrayAsync());

        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(packages)));
        Assert.Equal(packages, await fixture.Http.GetStringAsync($"/{basePath}/dists/stable/main/binary-amd64/by-hash/SHA256/{sha}"));
        using var missing = await fixture.Http.GetAsync($"/{basePath}/dists/stable/main/binary-amd64/by-hash/SHA256/{new string('0', 64)}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Upload_of_a_non_deb_to_a_deb_repository_is_a_400_naming_the_file()
    {
        var name = $"uploads-{Guid.NewGuid():N}";
        var id = await fixture.Catalog.EnsureRepositoryAsync("default", name, "deb", CancellationToken.None);
        await fixture.Catalog.SetUploadsEnabledAsync(id, true, CancellationToken.None);

        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.ASCII.GetBytes("not a deb")), "file", "fake.deb" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/default/repositories/{name}/content") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ContentAppFixture.UploadToken);
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("fake.deb is not a Debian package", await response.Content.ReadAsStringAsync());
    }
}
