using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Packyard.Engine.Catalog;
using Packyard.Tests.Infrastructure;

namespace Packyard.Tests.Server;

public sealed partial class ContentRequestHandlerTests(ContentAppFixture app) : IClassFixture<ContentAppFixture>
{
    private const string CheckpointFormat = "yyyyMMdd'T'HHmmss'Z'";

    private HttpClient Http => app.Http;

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Href();

    /// <summary>Syncs and publishes <paramref name="upstream"/> and serves it at a fresh base path.</summary>
    private async Task<string> ServeAsync(FileUpstream upstream, bool checkpoints = false, ContentGuardRecord? guard = null)
    {
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var basePath = ContentAppFixture.UniqueBasePath();
        await app.DistributeAsync(basePath, repository.Id, checkpoints, guard);
        return basePath;
    }

    private static HttpRequestMessage Get(string path, Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        headers?.Invoke(request.Headers);
        return request;
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task Get_returns_the_file_with_type_length_etag_last_modified_and_cache_headers()
    {
        using var upstream = new FileUpstream().Put("docs/readme.txt", "hello, packyard").WriteManifest();
        var basePath = await ServeAsync(upstream);

        using var response = await Http.GetAsync($"/{basePath}/docs/readme.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello, packyard", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(15, response.Content.Headers.ContentLength);
        Assert.Equal($"\"{Sha256("hello, packyard"u8.ToArray())}\"", response.Headers.ETag?.Tag);
        Assert.NotNull(response.Content.Headers.LastModified);
        Assert.True(response.Headers.CacheControl is { Public: true, MaxAge: not null }, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.Equal("bytes", Assert.Single(response.Headers.AcceptRanges));
    }

    [Theory]
    [InlineData(100)] // kept in memory
    [InlineData(64 * 1024 + 1)] // just over the in-memory limit: copied from the file
    [InlineData(3 * 1024 * 1024 + 17)] // several pipe chunks, not a multiple of the chunk size
    public async Task Files_of_every_size_arrive_whole_with_their_length_and_digest(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        using var upstream = new FileUpstream().Put("blob.bin", content).WriteManifest();
        var basePath = await ServeAsync(upstream);

        for (var attempt = 0; attempt < 2; attempt++) // the second answer comes from the caches
        {
            using var response = await Http.GetAsync($"/{basePath}/blob.bin");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(size, response.Content.Headers.ContentLength);
            Assert.Equal($"\"{Sha256(content)}\"", response.Headers.ETag?.Tag);
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Head_returns_the_same_headers_as_get_and_no_body()
    {
        using var upstream = new FileUpstream().Put("data.json", "{\"a\":1}").WriteManifest();
        var basePath = await ServeAsync(upstream);
        using var get = await Http.GetAsync($"/{basePath}/data.json");

        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{basePath}/data.json"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("application/json", head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(7, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(2L, 5L, "2345", "bytes 2-5/10")]
    [InlineData(null, 3L, "789", "bytes 7-9/10")] // suffix range: the last 3 bytes
    [InlineData(8L, null, "89", "bytes 8-9/10")] // open-ended range
    public async Task Range_request_returns_206_with_the_requested_bytes_and_content_range(long? from, long? to, string expected, string contentRange)
    {
        using var upstream = new FileUpstream().Put("digits.bin", "0123456789").WriteManifest();
        var basePath = await ServeAsync(upstream);

        using var response = await Http.SendAsync(Get($"/{basePath}/digits.bin", h => h.Range = new RangeHeaderValue(from, to)));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(contentRange, response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal(expected.Length, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Unsatisfiable_range_returns_416_with_the_full_length()
    {
        using var upstream = new FileUpstream().Put("digits.bin", "0123456789").WriteManifest();
        var basePath = await ServeAsync(upstream);

        using var response = await Http.SendAsync(Get($"/{basePath}/digits.bin", h => h.Range = new RangeHeaderValue(100, 200)));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */10", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task If_none_match_with_the_etag_returns_304()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var basePath = await ServeAsync(upstream);
        using var first = await Http.GetAsync($"/{basePath}/a.txt");

        using var again = await Http.SendAsync(Get($"/{basePath}/a.txt", h => h.IfNoneMatch.Add(first.Headers.ETag!)));
        using var other = await Http.SendAsync(Get($"/{basePath}/a.txt", h => h.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{new string('0', 64)}\""))));

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task If_modified_since_after_last_modified_returns_304_and_before_returns_the_file()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var basePath = await ServeAsync(upstream);
        using var first = await Http.GetAsync($"/{basePath}/a.txt");
        var lastModified = first.Content.Headers.LastModified!.Value;
        // A date in the future is ignored (RFC 9110 13.1.3), so "later" is a past second after Last-Modified.
        await WaitUntilAsync(lastModified.AddSeconds(1.05));

        using var later = await Http.SendAsync(Get($"/{basePath}/a.txt", h => h.IfModifiedSince = lastModified.AddSeconds(1)));
        using var earlier = await Http.SendAsync(Get($"/{basePath}/a.txt", h => h.IfModifiedSince = lastModified.AddMinutes(-1)));

        Assert.Equal(HttpStatusCode.NotModified, later.StatusCode);
        Assert.Equal(HttpStatusCode.OK, earlier.StatusCode);
        Assert.Equal("alpha", await earlier.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pulp_manifest_is_served_as_csv_listing_every_file_with_its_sha256_and_size_and_each_downloads_with_that_digest()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").Put("dir/b.bin", new byte[] { 0, 1, 2, 255 }).Put("dir/sub/c.txt", "gamma!").WriteManifest();
        var basePath = await ServeAsync(upstream);

        using var response = await Http.GetAsync($"/{basePath}/PULP_MANIFEST");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
        Assert.Equal(
            upstream.Files.Select(f => (f.Key, Sha256(f.Value), f.Value.Length)).OrderBy(f => f.Key, StringComparer.Ordinal),
            lines.Select(l => (l[0], l[1], int.Parse(l[2], CultureInfo.InvariantCulture))).OrderBy(f => f.Item1, StringComparer.Ordinal));
        foreach (var line in lines)
        {
            var bytes = await Http.GetByteArrayAsync($"/{basePath}/{line[0]}");
            Assert.Equal(line[1], Sha256(bytes));
        }
    }

    [Fact]
    public async Task Distribution_root_lists_pulp_manifest_files_and_directories()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").Put("dir/b.txt", "beta").Put("dir/sub/c.txt", "gamma").WriteManifest();
        var basePath = await ServeAsync(upstream);

        using var root = await Http.GetAsync($"/{basePath}/");
        using var directory = await Http.GetAsync($"/{basePath}/dir/");

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Equal<string>(["PULP_MANIFEST", "a.txt", "dir/"], Links(await root.Content.ReadAsStringAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.OK, directory.StatusCode);
        Assert.Equal<string>(["../", "b.txt", "sub/"], Links(await directory.Content.ReadAsStringAsync()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_link_of_a_listing_leads_to_served_content()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").Put("dir/b.txt", "beta").WriteManifest();
        var basePath = await ServeAsync(upstream);
        using var client = app.NewClient(allowRedirects: true);

        foreach (var listingPath in new[] { $"/{basePath}/", $"/{basePath}/dir/" })
        {
            using var listing = await client.GetAsync(listingPath);
            var page = listing.RequestMessage!.RequestUri!;
            foreach (var link in Links(await listing.Content.ReadAsStringAsync()))
            {
                using var target = await client.GetAsync(new Uri(page, link));
                Assert.True(target.StatusCode == HttpStatusCode.OK, $"{link} on {listingPath} → {new Uri(page, link).AbsolutePath}: {(int)target.StatusCode}");
            }
        }
    }

    [Theory]
    [InlineData("")] // /<basePath>
    [InlineData("/dir")]
    public async Task Directory_without_trailing_slash_gives_links_that_resolve_inside_it(string directory)
    {
        // A browser resolves href="a.txt" on /base (no slash) to /a.txt: the listing must redirect to /base/ first.
        using var upstream = new FileUpstream().Put("dir/a.txt", "alpha").Put("a.txt", "alpha").WriteManifest();
        var basePath = await ServeAsync(upstream);
        using var client = app.NewClient(allowRedirects: true);

        using var listing = await client.GetAsync($"/{basePath}{directory}");

        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        using var file = await client.GetAsync(new Uri(listing.RequestMessage!.RequestUri!, "a.txt"));
        Assert.True(file.StatusCode == HttpStatusCode.OK, $"a.txt from /{basePath}{directory} resolved to {file.RequestMessage!.RequestUri!.AbsolutePath}: {(int)file.StatusCode}");
    }

    [Theory]
    [InlineData("a%41.txt")] // a literal percent sequence: the listing links it as a%2541.txt
    [InlineData("100%25 sure.txt")]
    [InlineData("my file.txt")]
    public async Task File_names_with_percent_or_space_are_served_at_their_listed_link(string fileName)
    {
        using var upstream = new FileUpstream().Put(fileName, "literal name").WriteManifest();
        var basePath = await ServeAsync(upstream);
        using var listing = await Http.GetAsync($"/{basePath}/");
        var link = Assert.Single(Links(await listing.Content.ReadAsStringAsync()), l => l != "PULP_MANIFEST");

        using var response = await Http.GetAsync(new Uri(listing.RequestMessage!.RequestUri!, link));

        Assert.Equal(Uri.EscapeDataString(fileName), link);
        Assert.Equal((HttpStatusCode.OK, "literal name"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("missing.txt")]
    [InlineData("dir/missing.txt")]
    [InlineData("nodir/")]
    public async Task Unknown_path_in_a_distribution_is_404(string path)
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").Put("dir/b.txt", "beta").WriteManifest();
        var basePath = await ServeAsync(upstream);

        using var response = await Http.GetAsync($"/{basePath}/{path}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Unknown_base_path_is_404()
    {
        using var response = await Http.GetAsync($"/{ContentAppFixture.UniqueBasePath("nowhere")}/a.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Writing_methods_on_content_are_405_with_allow_get_and_head(string method)
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var basePath = await ServeAsync(upstream);

        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/{basePath}/a.txt") { Content = new StringContent("x") });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal<string>(["GET", "HEAD"], response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Checkpoints_serve_the_publication_of_their_time_and_redirect_other_times_to_the_canonical_one()
    {
        using var upstream = new FileUpstream().Put("a.txt", "version one").WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var published1 = (await app.Catalog.GetRepositoryStateAsync(repository.Id, 1, CancellationToken.None)).LatestPublication!.Created;
        var basePath = ContentAppFixture.UniqueBasePath();
        await app.DistributeAsync(basePath, repository.Id, checkpoints: true);
        var checkpoint1 = Ceiling(published1);
        // Publication 2 must come after checkpoint1 + 1 s, so that second names a time between the two publications.
        await WaitUntilAsync(checkpoint1.AddSeconds(1.1));
        upstream.Put("a.txt", "version two").WriteManifest();
        var (version2, published2) = await repository.SyncAndPublishAsync();
        var between = checkpoint1.AddSeconds(1);
        Assert.Equal(2, version2);
        Assert.True(published2 > between, $"publication 2 at {published2:O} is not after {between:O}");

        using var pinned = await Http.GetAsync($"/{basePath}/{Format(checkpoint1)}/a.txt");
        using var pinnedManifest = await Http.GetAsync($"/{basePath}/{Format(checkpoint1)}/PULP_MANIFEST");
        using var redirected = await Http.GetAsync($"/{basePath}/{Format(between)}/a.txt?x=1");
        using var before = await Http.GetAsync($"/{basePath}/{Format(Floor(published1).AddSeconds(-1))}/a.txt");
        using var newest = await Http.GetAsync($"/{basePath}/a.txt");
        using var newestCheckpoint = await Http.GetAsync($"/{basePath}/{Format(Ceiling(published2))}/a.txt");

        Assert.Equal((HttpStatusCode.OK, "version one"), (pinned.StatusCode, await pinned.Content.ReadAsStringAsync()));
        Assert.Contains("immutable", pinned.Headers.CacheControl?.ToString());
        Assert.Contains("immutable", pinnedManifest.Headers.CacheControl?.ToString());
        Assert.Contains(Sha256("version one"u8.ToArray()), await pinnedManifest.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Found, redirected.StatusCode);
        Assert.Equal($"/{basePath}/{Format(checkpoint1)}/a.txt?x=1", redirected.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "version two"), (newest.StatusCode, await newest.Content.ReadAsStringAsync()));
        Assert.DoesNotContain("immutable", newest.Headers.CacheControl?.ToString());
        Assert.Equal((HttpStatusCode.OK, "version two"), (newestCheckpoint.StatusCode, await newestCheckpoint.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("20241399T000000Z")] // month 13
    [InlineData("20240101T256000Z")] // hour 25
    [InlineData("00000101T000000Z")] // year 0
    public async Task Impossible_checkpoint_timestamp_is_a_client_error_not_a_server_error(string timestamp)
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var basePath = await ServeAsync(upstream, checkpoints: true);

        using var response = await Http.GetAsync($"/{basePath}/{timestamp}/a.txt");

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{timestamp}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task Checkpoint_listing_is_immutable_too()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var repository = await app.SyncedRepositoryAsync(upstream.FileUrl);
        var published = (await app.Catalog.GetRepositoryStateAsync(repository.Id, 1, CancellationToken.None)).LatestPublication!.Created;
        var basePath = ContentAppFixture.UniqueBasePath();
        await app.DistributeAsync(basePath, repository.Id, checkpoints: true);

        using var listing = await Http.GetAsync($"/{basePath}/{Format(Ceiling(published))}/");

        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        Assert.Contains("a.txt", await listing.Content.ReadAsStringAsync());
        Assert.Contains("immutable", listing.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Without_checkpoints_a_timestamp_first_segment_is_an_ordinary_path()
    {
        using var upstream = new FileUpstream().Put("a.txt", "alpha").WriteManifest();
        var basePath = await ServeAsync(upstream, checkpoints: false);

        using var response = await Http.GetAsync($"/{basePath}/{Format(DateTimeOffset.UtcNow.AddMinutes(1))}/a.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Basic_content_guard_asks_for_credentials_and_admits_only_the_right_password()
    {
        using var upstream = new FileUpstream().Put("secret.txt", "classified").WriteManifest();
        var guard = ContentGuardRecord.Create("salt", new Dictionary<string, string> { ["alice"] = "s3cret" }, []);
        var basePath = await ServeAsync(upstream, guard: guard);

        using var anonymous = await Http.GetAsync($"/{basePath}/secret.txt");
        using var wrongPassword = await Http.SendAsync(Get($"/{basePath}/secret.txt", h => h.Authorization = Basic("alice", "guess")));
        using var wrongUser = await Http.SendAsync(Get($"/{basePath}/secret.txt", h => h.Authorization = Basic("mallory", "s3cret")));
        using var garbage = await Http.SendAsync(Get($"/{basePath}/secret.txt", h => h.Authorization = new AuthenticationHeaderValue("Basic", "%%%")));
        using var right = await Http.SendAsync(Get($"/{basePath}/secret.txt", h => h.Authorization = Basic("alice", "s3cret")));
        using var listing = await Http.GetAsync($"/{basePath}/");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongUser.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, listing.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "classified"), (right.StatusCode, await right.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Token_content_guard_admits_only_the_right_bearer_token()
    {
        using var upstream = new FileUpstream().Put("secret.txt", "classified").WriteManifest();
        var guard = ContentGuardRecord.Create("pepper", new Dictionary<string, string>(), ["token-1", "token-2"]);
        var basePath = await ServeAsync(upstream, guard: guard);

        using var anonymous = await Http.GetAsync($"/{basePath}/secret.txt");
        using var wrong = await Http.SendAsync(Get($"/{basePath}/secret.txt", h => h.Authorization = new AuthenticationHeaderValue("Bearer", "token-3")));
        using var right = await Http.SendAsync(Get($"/{basePath}/secret.txt", h => h.Authorization = new AuthenticationHeaderValue("Bearer", "token-2")));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "classified"), (right.StatusCode, await right.Content.ReadAsStringAsync()));
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static List<string> Links(string html) => Href().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(CheckpointFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Floor(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset time) => Floor(time) == time ? time : Floor(time).AddSeconds(1);

    private static async Task WaitUntilAsync(DateTimeOffset time)
    {
        var wait = time - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
