using System.Net.Http.Headers;
using System.Text;
using Packyard.Content.Rpm;
using Packyard.Engine.Downloads;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Rpm;

public sealed class RpmUploadTests(RpmFixture fixture) : IClassFixture<RpmFixture>
{
    [Fact]
    public async Task Header_of_a_real_rpm_gives_name_evr_and_the_header_range_createrepo_c_lists()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync(extras: false);
        await using var rpm = File.OpenRead(Path.Combine(upstream.Root, "gamma-1.0~rc1-1.noarch.rpm"));

        var header = await RpmHeader.ReadAsync(rpm, "gamma.rpm", 1 << 20, CancellationToken.None);

        Assert.Equal("gamma", header.String(RpmTags.Name));
        Assert.Equal("1.0~rc1", header.String(RpmTags.Version));
        Assert.Equal(1L, header.Number(RpmTags.Epoch));
        using var primary = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(upstream.MetadataPath("primary")), System.IO.Compression.CompressionMode.Decompress));
        var text = await primary.ReadToEndAsync();
        var gamma = text[text.IndexOf("<name>gamma</name>", StringComparison.Ordinal)..];
        Assert.Contains($"<rpm:header-range start=\"{header.Start}\" end=\"{header.End}\"/>", gamma);
    }

    [Fact]
    public async Task A_file_that_is_not_an_rpm_is_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidUploadException>(() =>
            RpmHeader.ReadAsync(new MemoryStream(Encoding.ASCII.GetBytes("hello, not a package at all, not even close to ninety-six bytes long")), "x.rpm", 1 << 20, CancellationToken.None));
        Assert.Contains("x.rpm", error.Message);
    }

    [Fact]
    public async Task Uploaded_rpms_give_dnf_the_same_packages_dependencies_and_files_as_createrepo_c_and_install()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync(extras: false);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var name = $"uploads-{Guid.NewGuid():N}";
        var id = await fixture.Catalog.EnsureRepositoryAsync("default", name, "rpm", CancellationToken.None);
        await fixture.Catalog.SetUploadsEnabledAsync(id, true, CancellationToken.None);
        var basePath = ContentAppFixture.UniqueBasePath("uploads");
        await fixture.DistributeAsync(basePath, id);

        foreach (var spec in RpmSyncTests.StandardPackages)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(upstream.Root, spec.FileName))), "file", spec.FileName } };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/default/repositories/{name}/content") { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ContentAppFixture.UploadToken);
            using var response = await fixture.Http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        await fixture.Notifier.Published;
        fixture.Distributions.Invalidate();

        const string format = "%{name}|%{epoch}|%{version}|%{release}|%{arch}|%{summary}|%{license}|%{url}|%{sourcerpm}\n%{description}\n%{requires}\n%{provides}\n%{conflicts}\n%{obsoletes}";
        using var fromUpstream = new DnfClient(http.Url, upstream.PublicKey, upstream.PublicKey);
        using var fromPackyard = new DnfClient(new Uri(fixture.BaseAddress, basePath + "/"), upstream.PublicKey, upstream.PublicKey, repoGpgCheck: false);
        Assert.Equal(await fromUpstream.QueryAsync("repoquery", "--qf", format), await fromPackyard.QueryAsync("repoquery", "--qf", format));
        Assert.Equal(await fromUpstream.QueryAsync("repoquery", "-l"), await fromPackyard.QueryAsync("repoquery", "-l"));
        Assert.Equal(await fromUpstream.QueryAsync("repoquery", "--changelogs", "beta"), await fromPackyard.QueryAsync("repoquery", "--changelogs", "beta"));

        await fromPackyard.RunAsync("install", "alpha");
        Assert.True(File.Exists(Path.Combine(fromPackyard.InstallRoot, "usr/bin/gamma")));
    }
}
