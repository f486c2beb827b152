using System.Globalization;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Server;

namespace Packyard.Tests.Rpm;

/// <summary>Real dnf (install root, gpgcheck and repo_gpgcheck on) against Packyard's rpm publications.</summary>
public sealed class RpmDnfClientTests(RpmFixture fixture) : IClassFixture<RpmFixture>
{
    [Fact]
    public async Task Dnf_repoquery_download_and_install_work_against_a_signed_publication_and_through_a_checkpoint()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync();
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        await using var packyardKey = await RpmUpstream.CreateAsync("Packyard");
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey);
        var outcome = await repository.SyncAsync();
        await repository.PublishAsync(outcome.Version, packyardKey.SecretKey);
        var basePath = ContentAppFixture.UniqueBasePath("el");
        await fixture.DistributeAsync(basePath, repository.Id, checkpoints: true);

        using (var dnf = new DnfClient(new Uri(fixture.BaseAddress, basePath + "/"), packyardKey.PublicKey, upstream.PublicKey))
        {
            var requires = await dnf.RunAsync("repoquery", "--requires", "alpha");
            Assert.Contains("beta >= 2.0", requires);
            Assert.Contains("/usr/bin/gamma", requires);

            await dnf.RunAsync("download", "beta");
            Assert.Equal(
                FileUpstream.Sha256(await File.ReadAllBytesAsync(Path.Combine(upstream.Root, "beta-2.0-3.noarch.rpm"))),
                FileUpstream.Sha256(await File.ReadAllBytesAsync(Path.Combine(dnf.Downloads, "beta-2.0-3.noarch.rpm"))));

            await dnf.RunAsync("install", "alpha");
            Assert.True(File.Exists(Path.Combine(dnf.InstallRoot, "usr/bin/alpha")));
            Assert.True(File.Exists(Path.Combine(dnf.InstallRoot, "usr/bin/beta")), "beta installed as alpha's dependency");
            Assert.True(File.Exists(Path.Combine(dnf.InstallRoot, "usr/bin/gamma")), "gamma installed through a file dependency");
        }

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var checkpoint = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        using (var dnf = new DnfClient(new Uri(fixture.BaseAddress, $"{basePath}/{checkpoint}/"), packyardKey.PublicKey, upstream.PublicKey))
        {
            await dnf.RunAsync("install", "gamma");
            Assert.True(File.Exists(Path.Combine(dnf.InstallRoot, "etc/gamma.conf")));
        }
    }

    [Fact]
    public async Task Published_metadata_gives_dnf_the_same_packages_dependencies_and_files_as_the_upstream()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync("xz");
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey, policy: Api.Resources.DownloadPolicy.OnDemand);
        var outcome = await repository.SyncAsync();
        await repository.PublishAsync(outcome.Version, upstream.SecretKey);
        var basePath = ContentAppFixture.UniqueBasePath("el");
        await fixture.DistributeAsync(basePath, repository.Id);

        const string format = "%{name}|%{epoch}|%{version}|%{release}|%{arch}|%{summary}|%{license}|%{url}\n%{requires}\n%{provides}\n%{conflicts}\n%{obsoletes}";
        using var fromUpstream = new DnfClient(http.Url, upstream.PublicKey, upstream.PublicKey);
        using var fromPackyard = new DnfClient(new Uri(fixture.BaseAddress, basePath + "/"), upstream.PublicKey, upstream.PublicKey);
        var expected = await fromUpstream.QueryAsync("repoquery", "--qf", format);
        var actual = await fromPackyard.QueryAsync("repoquery", "--qf", format);
        Assert.Contains("alpha|0|1.0|1|noarch", expected);
        Assert.Contains("beta-api = 2", expected);
        Assert.Equal(expected, actual);

        var expectedFiles = await fromUpstream.QueryAsync("repoquery", "-l");
        Assert.Contains("/usr/share/beta/README", expectedFiles);
        Assert.Equal(expectedFiles, await fromPackyard.QueryAsync("repoquery", "-l"));

        // The advisory carried through in updateinfo names its package.
        var expectedAdvisory = await fromUpstream.QueryAsync("repoquery", "--advisory=TEST-2026-1");
        Assert.Contains("alpha-0:1.0-1.noarch", expectedAdvisory);
        Assert.Equal(expectedAdvisory, await fromPackyard.QueryAsync("repoquery", "--advisory=TEST-2026-1"));
    }

    [Fact]
    public async Task Config_repo_names_the_base_url_and_the_key_dnf_needs()
    {
        await using var upstream = await RpmSyncTests.StandardUpstreamAsync(extras: false);
        await using var http = await HttpUpstream.StartAsync(upstream.Root);
        await using var packyardKey = await RpmUpstream.CreateAsync("Packyard");
        var repository = await fixture.RepositoryAsync(http.Url, verificationKeys: upstream.PublicKey, policy: Api.Resources.DownloadPolicy.OnDemand);
        var outcome = await repository.SyncAsync();
        await repository.PublishAsync(outcome.Version, packyardKey.SecretKey);
        var basePath = ContentAppFixture.UniqueBasePath("el");
        await fixture.DistributeAsync(basePath, repository.Id);

        var config = await fixture.Http.GetStringAsync($"{basePath}/config.repo");

        var baseUrl = $"{fixture.BaseAddress}{basePath}/";
        Assert.Contains($"baseurl={baseUrl}\n", config);
        Assert.Contains("repo_gpgcheck=1\n", config);
        Assert.Contains($"gpgkey={baseUrl}repodata/repomd.xml.key\n", config);
        var servedKey = await fixture.Http.GetByteArrayAsync($"{basePath}/repodata/repomd.xml.key");
        using var dnf = new DnfClient(new Uri(baseUrl), servedKey, upstream.PublicKey);
        Assert.Contains("gamma", await dnf.RunAsync("repoquery", "--qf", "%{name}"));
    }
}
