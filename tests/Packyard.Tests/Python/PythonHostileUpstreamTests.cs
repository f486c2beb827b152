using System.Net;
using System.Text;
using Packyard.Api.Resources;
using Packyard.Engine.Catalog;
using Packyard.Engine.Downloads;
using Packyard.Engine.Publishing;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Python;

/// <summary>
/// A PEP 503 / PEP 691 upstream served over HTTP that links a local file (the upload token, say) with its correct sha256: whatever the
/// policy (Immediate, OnDemand, pull-through), the file is never read, stored or served, and the sync says why.
/// </summary>
public sealed class PythonHostileUpstreamTests(PythonFixture app) : IClassFixture<PythonFixture>, IDisposable
{
    private const string FileName = "evil-1.0-py3-none-any.whl";

    private readonly TemporaryDirectory outside = new();

    private (string Path, string Content, string Sha256) Secret()
    {
        var content = $"upload-token: {Guid.NewGuid():N}\n";
        var path = Path.Combine(outside.Path, "secret");
        File.WriteAllText(path, content);
        return (path, content, FileUpstream.Sha256(Encoding.UTF8.GetBytes(content)));
    }

    /// <summary>An index with one project, <c>evil</c>, whose only file links <paramref name="href"/> with <paramref name="sha256"/>.</summary>
    private async Task<PythonIndexUpstream> UpstreamAsync(string href, string sha256, bool json)
    {
        var root = app.NewFolder("hostile");
        Directory.CreateDirectory(Path.Combine(root, "simple", "evil"));
        await File.WriteAllTextAsync(Path.Combine(root, "simple", "index.html"), "<!DOCTYPE html><html><body><a href=\"evil/\">evil</a></body></html>\n");
        await File.WriteAllTextAsync(Path.Combine(root, "simple", "evil", "index.html"),
            $"<!DOCTYPE html><html><body><a href=\"{WebUtility.HtmlEncode(href)}#sha256={sha256}\">{FileName}</a></body></html>\n");
        if (json)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "simple", "index.json"), """{"meta":{"api-version":"1.0"},"projects":[{"name":"evil"}]}""");
            await File.WriteAllTextAsync(Path.Combine(root, "simple", "evil", "index.json"),
                $$$"""{"meta":{"api-version":"1.0"},"name":"evil","files":[{"filename":"{{{FileName}}}","url":"{{{href}}}","hashes":{"sha256":"{{{sha256}}}"}}]}""");
        }

        return await PythonIndexUpstream.StartAsync(root);
    }

    private Task<bool> StoredAsync(string sha256) => app.Store.ExistsAsync(sha256, CancellationToken.None);

    public static TheoryData<bool, DownloadPolicy, string> Links()
    {
        var data = new TheoryData<bool, DownloadPolicy, string>();
        foreach (var json in new[] { false, true })
        {
            data.Add(json, DownloadPolicy.Immediate, "file://SECRET");
            data.Add(json, DownloadPolicy.OnDemand, "file://SECRET");
            data.Add(json, DownloadPolicy.Streamed, "file://SECRET");
            data.Add(json, DownloadPolicy.Immediate, "file://localhostSECRET");
            data.Add(json, DownloadPolicy.OnDemand, "ftp://127.0.0.1/secret");
            data.Add(json, DownloadPolicy.OnDemand, "data:application/octet-stream;base64,c2VjcmV0");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Links))]
    public async Task A_link_off_the_upstream_scheme_fails_the_sync_and_nothing_is_stored_or_served(bool json, DownloadPolicy policy, string href)
    {
        var secret = Secret();
        href = href.Replace("SECRET", secret.Path, StringComparison.Ordinal);
        await using var upstream = await UpstreamAsync(href, secret.Sha256, json);
        var repository = await app.PythonRepositoryAsync();

        var error = await Assert.ThrowsAsync<InvalidUpstreamMetadataException>(() => app.SyncAsync(repository, upstream.Url, "{}", policy));

        Assert.StartsWith($"simple/evil/: refusing link '{href}", error.Message);
        Assert.Contains(href.StartsWith("file:", StringComparison.Ordinal) ? "may not point to local files" : "leaves the Remote's scheme http", error.Message);
        Assert.False(await StoredAsync(secret.Sha256));
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(repository.Id, 1, CancellationToken.None)).Latest.Number);
        using var file = await app.Http.GetAsync($"/{repository.BasePath}/packages/{FileName}");
        Assert.NotEqual(HttpStatusCode.OK, file.StatusCode);
        Assert.DoesNotContain(secret.Content.Trim(), await file.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(false, DownloadPolicy.OnDemand)]
    [InlineData(true, DownloadPolicy.OnDemand)]
    [InlineData(false, DownloadPolicy.Immediate)]
    [InlineData(true, DownloadPolicy.Immediate)]
    public async Task A_pull_through_distribution_never_fetches_a_linked_local_file(bool json, DownloadPolicy policy)
    {
        var secret = Secret();
        await using var upstream = await UpstreamAsync(new Uri(secret.Path).AbsoluteUri, secret.Sha256, json);
        var name = $"pt-{Guid.NewGuid():N}";
        var id = await app.Catalog.EnsureRepositoryAsync("default", name, "python", CancellationToken.None);
        await app.Get<PublicationService>().PublishAsync(id, name, "python", 0, PublishOptions.None, CancellationToken.None);
        var (_, remoteId) = await app.RemoteAsync($"remote-{name}", upstream.Url, s => s with { Type = "python", Policy = policy });
        var basePath = PythonFixture.UniqueBasePath("pt");
        await app.Catalog.UpsertDistributionAsync(new DistributionRecord("default", $"dist-{name}", basePath, id, null, false, null, remoteId), CancellationToken.None);
        app.Distributions.Invalidate();

        using var page = await app.Http.GetAsync($"/{basePath}/simple/evil/");
        using var file = await app.Http.GetAsync($"/{basePath}/packages/{FileName}");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, file.StatusCode);
        Assert.DoesNotContain(secret.Content.Trim(), await file.Content.ReadAsStringAsync());
        Assert.True(upstream.RequestsFor("simple/evil/") >= 1, "the pull-through asked the upstream");
        Assert.False(await StoredAsync(secret.Sha256));
        Assert.Equal(0, (await app.Catalog.GetRepositoryStateAsync(id, 1, CancellationToken.None)).Latest.Number);
    }

    public void Dispose() => outside.Dispose();
}
