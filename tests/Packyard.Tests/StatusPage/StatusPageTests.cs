using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Packyard.Tests.StatusPage;

/// <summary>
/// The status page at <c>/</c> of <c>packyard run</c>, read as a person does: in real headless Chromium at desktop and phone
/// widths (screenshots saved as test artifacts), clicked through from a Distribution to its Repository's versions, and as raw
/// HTML, where every value from a manifest or a condition is encoded.
/// </summary>
public sealed class StatusPageTests(StatusPageFixture fixture, ITestOutputHelper output) : IClassFixture<StatusPageFixture>
{
    [Fact]
    public async Task Status_page_lists_every_resource_with_its_conditions_and_shows_an_injected_script_as_text()
    {
        using var response = await fixture.Packyard.Http.GetAsync("");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain(StatusPageFixture.Token, html, StringComparison.Ordinal);

        var chromium = fixture.Chromium;
        await chromium.SetViewportAsync(1280, 900);
        await chromium.NavigateAsync(fixture.Packyard.BaseUrl);
        Assert.Equal(0, (int)(await chromium.EvaluateAsync("document.querySelectorAll('script').length"))!);
        var text = (string)(await chromium.EvaluateAsync("document.body.innerText"))!;
        Assert.Contains(StatusPageFixture.Injected, text, StringComparison.Ordinal); // the invalid schedule, quoted in the manifest error
        Assert.Contains("spec.sync.schedule", text, StringComparison.Ordinal);

        var headings = (await chromium.EvaluateAsync("[...document.querySelectorAll('#resources article h3')].map(h => h.textContent)"))!.AsArray()
            .Select(h => (string)h!).ToList();
        foreach (var (kind, name) in new[]
        {
            ("Remote", "files"), ("Repository", "files"), ("Repository", "wheels"), ("Repository", "debs"), ("Repository", "rpms"),
            ("Repository", "images"), ("Repository", "hostile"), ("Distribution", "files"), ("Distribution", "wheels"),
            ("Distribution", "debs"), ("Distribution", "rpms"), ("Distribution", "images"),
        })
        {
            Assert.Contains(headings, h => h.StartsWith($"{kind} default/{name} Ready ", StringComparison.Ordinal));
        }

        var filesDistribution = (await chromium.EvaluateAsync("""
            [...document.querySelectorAll('#resources article')].find(a => a.querySelector('h3').textContent.startsWith('Distribution default/files '))
              .querySelector('table.conditions tbody tr').innerText
            """))!.ToString();
        Assert.Contains("Ready\tTrue\tSucceeded\tserving version 2 at " + fixture.Packyard.BaseUrl + "files/site/", filesDistribution, StringComparison.Ordinal);

        var queue = (string)(await chromium.EvaluateAsync("document.querySelector('#tasks').innerText"))!;
        Assert.Contains("Task queue", queue, StringComparison.Ordinal);
        var snippets = (await chromium.EvaluateAsync("[...document.querySelectorAll('pre.snippet')].map(p => p.innerText)"))!.AsArray()
            .Select(s => (string)s!).ToList();
        var url = fixture.Packyard.BaseUrl;
        Assert.Contains($"pip install --index-url {url}python/wheels/simple/ PROJECT", snippets);
        Assert.Contains($"twine upload --repository-url {url}python/wheels/legacy/ dist/*", snippets);
        Assert.Contains($"curl -fsSL -o /etc/apt/sources.list.d/debs.sources {url}debian/debs/packyard.sources\napt-get update", snippets);
        Assert.Contains($"curl -fsSL -o /etc/yum.repos.d/rpms.repo {url}el/rpms/config.repo\ndnf install PACKAGE", snippets);
        Assert.Contains($"curl -fsSL {url}files/site/PULP_MANIFEST\ncurl -fsSLO {url}files/site/PATH", snippets);
        Assert.Contains($"podman pull --tls-verify=false {url.Authority}/library/app:TAG", snippets);
        Assert.Contains($"docker pull {url.Authority}/library/app:TAG", snippets);
        // A pull-through Distribution of a whole registry: pulls under its base path, and the node's mirror configuration.
        Assert.Contains($"docker pull {url.Authority}/hub/REPOSITORY:TAG", snippets);
        Assert.Contains($"server = \"https://registry-1.docker.io\"\n\n[host.\"{url.GetLeftPart(UriPartial.Authority)}\"]\n  capabilities = [\"pull\", \"resolve\"]", snippets);
        Assert.Contains($"[[registry]]\nprefix = \"docker.io\"\nlocation = \"registry-1.docker.io\"\n\n[[registry.mirror]]\nlocation = \"{url.Authority}/hub\"\ninsecure = true", snippets);
        Assert.Contains("containerd: /etc/containerd/certs.d/docker.io/hosts.toml", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Screenshots_at_1280_and_390_pixels_wide_show_the_whole_page_without_sideways_scrolling()
    {
        var chromium = fixture.Chromium;
        foreach (var width in new[] { 1280, 390 })
        {
            await chromium.SetViewportAsync(width, 900);
            await chromium.NavigateAsync(fixture.Packyard.BaseUrl);
            var layout = (await chromium.EvaluateAsync("""
                ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth, height: document.documentElement.scrollHeight,
                  font: parseFloat(getComputedStyle(document.body).fontSize),
                  snippetsFit: [...document.querySelectorAll('pre.snippet')].every(p => p.scrollWidth <= p.clientWidth)})
                """))!;
            Assert.True((int)layout["scroll"]! <= (int)layout["inner"]!, $"{width} px: the page scrolls sideways: {layout.ToJsonString()}");
            Assert.True((double)layout["font"]! >= 14, $"{width} px: text smaller than 14 px: {layout.ToJsonString()}");
            Assert.True((bool)layout["snippetsFit"]!, $"{width} px: a command is cut off: {layout.ToJsonString()}");

            var png = await chromium.ScreenshotAsync();
            var path = Path.Combine(HeadlessChromium.ArtifactsFolder, $"status-page-{width}.png");
            await File.WriteAllBytesAsync(path, png);
            output.WriteLine($"screenshot: {path}");
            var image = PngImage.Decode(png);
            Assert.Equal(width, image.Width);
            Assert.Equal((int)layout["height"]!, image.Height);
            Assert.True(image.Height > 900, $"{width} px: the page is only {image.Height} px high");
            var colours = image.DistinctColours();
            var drawn = image.ShareNotBackground();
            output.WriteLine($"{width} px: {image.Width}x{image.Height}, {colours} colours, {drawn:P1} not background");
            Assert.True(colours > 50, $"{width} px: only {colours} colours: a blank or flat image ({path})");
            Assert.True(drawn > 0.10, $"{width} px: only {drawn:P1} of the image differs from the background ({path})");
        }
    }

    [Fact]
    public async Task Clicking_a_distributions_repository_link_opens_the_page_listing_all_its_versions()
    {
        var chromium = fixture.Chromium;
        await chromium.SetViewportAsync(390, 844);
        await chromium.NavigateAsync(fixture.Packyard.BaseUrl);

        var load = chromium.ExpectLoad();
        await chromium.ClickAsync("#distribution-default-files a.versions");
        await load.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal("/-/repositories/default/files", (string)(await chromium.EvaluateAsync("location.pathname"))!);
        Assert.Equal("Repository default/files · Packyard", (string)(await chromium.EvaluateAsync("document.title"))!);
        var rows = (await chromium.EvaluateAsync("""
            [...document.querySelectorAll('table.versions tbody tr')].map(r => [...r.cells].map(c => c.textContent))
            """))!.AsArray().Select(r => r!.AsArray().Select(c => (string)c!).ToArray()).ToList();
        Assert.Equal(["2", "1", "0"], rows.Select(r => r[0]));
        Assert.Equal(("1", "0", "3"), (rows[0][2], rows[0][3], rows[0][4])); // version 2: the upload
        Assert.Equal(("2", "0", "2"), (rows[1][2], rows[1][3], rows[1][4])); // version 1: the sync
        Assert.All(rows, r => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", r[1]));
        var page = (string)(await chromium.EvaluateAsync("document.body.innerText"))!;
        Assert.Contains("Versions (3)", page, StringComparison.Ordinal);
        Assert.Contains($"Served by Distribution files at {fixture.Packyard.BaseUrl}files/site/", page, StringComparison.Ordinal);
        Assert.Contains("Last sync: Succeeded", page, StringComparison.Ordinal);

        using var missing = await fixture.Packyard.Http.GetAsync("-/repositories/default/nothing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var post = await fixture.Packyard.Http.PostAsync("", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
