using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Packyard.Tests.Container;

/// <summary>Syncing a registry repository and reading it back through the OCI distribution API under /v2/.</summary>
public sealed class ContainerSyncTests(ContainerFixture app) : IClassFixture<ContainerFixture>
{
    private async Task<HttpResponseMessage> GetAsync(string path, HttpMethod? method = null, Action<HttpRequestMessage>? change = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        change?.Invoke(request);
        return await app.Http.SendAsync(request);
    }

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }

    [Fact]
    public async Task Synced_image_and_index_are_served_byte_for_byte_with_media_type_digest_and_length()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 1, mediaType: TestImages.DockerManifest);
        var amd64 = TestImages.AddImage(registry, seed: 2);
        var arm64 = TestImages.AddImage(registry, seed: 3, platform: "linux/arm64");
        var (index, indexBytes) = TestImages.AddIndex(registry, [(amd64, "linux/amd64"), (arm64, "linux/arm64")]);
        registry.Tag("team/app", "1.0", image.Digest);
        registry.Tag("team/app", "multi", index);
        var repository = await app.ContainerRepositoryAsync();

        var outcome = await app.SyncAsync(repository, registry.Url, """{"upstreamName":"team/app"}""");

        Assert.True(outcome.Created);
        // /v2/ challenges a client that sent no Authorization at all (so skopeo and podman send credentials they were given);
        // empty basic credentials, what they send without any, are answered 200.
        using var challenge = await GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Equal("Basic", Assert.Single(challenge.Headers.WwwAuthenticate).Scheme);
        using var root = await GetAsync("/v2/", change: r => r.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "Og=="));
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("registry/2.0", root.Headers.GetValues("Docker-Distribution-API-Version").Single());

        using var byTag = await GetAsync($"/v2/{repository.BasePath}/manifests/1.0");
        Assert.Equal(HttpStatusCode.OK, byTag.StatusCode);
        Assert.Equal(image.Manifest, await byTag.Content.ReadAsByteArrayAsync());
        Assert.Equal(TestImages.DockerManifest, byTag.Content.Headers.ContentType!.MediaType);
        Assert.Equal(image.Digest, byTag.Headers.GetValues("Docker-Content-Digest").Single());

        using var head = await GetAsync($"/v2/{repository.BasePath}/manifests/{index}", HttpMethod.Head);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(indexBytes.Length, head.Content.Headers.ContentLength);
        Assert.Equal(TestImages.OciIndex, head.Content.Headers.ContentType!.MediaType);
        Assert.Equal(index, head.Headers.GetValues("Docker-Content-Digest").Single());

        using var child = await GetAsync($"/v2/{repository.BasePath}/manifests/{arm64.Digest}");
        Assert.Equal(arm64.Manifest, await child.Content.ReadAsByteArrayAsync());

        var layer = arm64.Layers[0];
        using var blob = await GetAsync($"/v2/{repository.BasePath}/blobs/{layer}");
        Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        Assert.Equal(registry.Blobs[layer], await blob.Content.ReadAsByteArrayAsync());
        Assert.Equal(layer, blob.Headers.GetValues("Docker-Content-Digest").Single());

        using var range = await GetAsync($"/v2/{repository.BasePath}/blobs/{layer}", change: r => r.Headers.Range = new RangeHeaderValue(10, 19));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(registry.Blobs[layer][10..20], await range.Content.ReadAsByteArrayAsync());

        using var tags = await GetAsync($"/v2/{repository.BasePath}/tags/list");
        using var tagList = JsonDocument.Parse(await tags.Content.ReadAsStringAsync());
        Assert.Equal(repository.BasePath, tagList.RootElement.GetProperty("name").GetString());
        Assert.Equal(["1.0", "multi"], tagList.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Tags_list_pages_with_n_and_last_and_a_Link_to_the_next_page()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 4);
        foreach (var tag in new[] { "a", "b", "c", "d", "e" })
        {
            registry.Tag("app", tag, image.Digest);
        }

        var repository = await app.ContainerRepositoryAsync();
        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");

        using var first = await GetAsync($"/v2/{repository.BasePath}/tags/list?n=2");
        Assert.Equal("""{"name":"__","tags":["a","b"]}""".Replace("__", repository.BasePath, StringComparison.Ordinal), await first.Content.ReadAsStringAsync());
        var link = first.Headers.GetValues("Link").Single();
        Assert.Equal($"</v2/{repository.BasePath}/tags/list?n=2&last=b>; rel=\"next\"", link);

        using var last = await GetAsync($"/v2/{repository.BasePath}/tags/list?n=2&last=d");
        Assert.Contains("\"tags\":[\"e\"]", await last.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(last.Headers.Contains("Link"));
    }

    [Fact]
    public async Task Upstream_tag_list_pages_are_followed_through_the_Link_header()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 5);
        for (var i = 0; i < 250; i++)
        {
            registry.Tag("paged", $"v{i:D3}", image.Digest);
        }

        registry.MaxPageSize = 40;
        var repository = await app.ContainerRepositoryAsync();
        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"paged"}""");

        Assert.Equal(7, registry.Count("GET", "/v2/paged/tags/list"));
        using var tags = await GetAsync($"/v2/{repository.BasePath}/tags/list");
        using var document = JsonDocument.Parse(await tags.Content.ReadAsStringAsync());
        Assert.Equal(250, document.RootElement.GetProperty("tags").GetArrayLength());
    }

    [Fact]
    public async Task Unchanged_upstream_makes_no_version_and_a_moved_tag_replaces_the_old_one()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var one = TestImages.AddImage(registry, seed: 6);
        var two = TestImages.AddImage(registry, seed: 7);
        registry.Tag("app", "latest", one.Digest);
        registry.Tag("app", "stable", one.Digest);
        var repository = await app.ContainerRepositoryAsync();
        var first = await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");
        var manifestGets = registry.Count("GET", $"/v2/app/manifests/{one.Digest}");

        var again = await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");

        Assert.False(again.Created);
        Assert.Equal(first.Version, again.Version);
        Assert.Equal(manifestGets, registry.Count("GET", $"/v2/app/manifests/{one.Digest}"));

        registry.Tag("app", "latest", two.Digest);
        var moved = await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");

        Assert.True(moved.Created);
        Assert.Equal(first.Version + 1, moved.Version);
        using var latest = await GetAsync($"/v2/{repository.BasePath}/manifests/latest");
        Assert.Equal(two.Digest, latest.Headers.GetValues("Docker-Content-Digest").Single());
        using var stable = await GetAsync($"/v2/{repository.BasePath}/manifests/stable");
        Assert.Equal(one.Digest, stable.Headers.GetValues("Docker-Content-Digest").Single());
    }

    [Fact]
    public async Task Tag_globs_select_tags_and_platforms_keep_the_index_whole_but_only_selected_layers()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var amd64 = TestImages.AddImage(registry, seed: 8);
        var arm64 = TestImages.AddImage(registry, seed: 9, platform: "linux/arm64");
        var (index, _) = TestImages.AddIndex(registry, [(amd64, "linux/amd64"), (arm64, "linux/arm64")]);
        registry.Tag("app", "1.0", index);
        registry.Tag("app", "1.1-rc1", index);
        registry.Tag("app", "2.0", index);
        var repository = await app.ContainerRepositoryAsync();

        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app","includeTags":["1.*"],"excludeTags":["*-rc*"],"platforms":["linux/arm64"]}""");

        using var tags = await GetAsync($"/v2/{repository.BasePath}/tags/list");
        Assert.Contains("\"tags\":[\"1.0\"]", await tags.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var amdManifest = await GetAsync($"/v2/{repository.BasePath}/manifests/{amd64.Digest}");
        Assert.Equal(HttpStatusCode.OK, amdManifest.StatusCode);
        using var armLayer = await GetAsync($"/v2/{repository.BasePath}/blobs/{arm64.Layers[0]}");
        Assert.Equal(HttpStatusCode.OK, armLayer.StatusCode);
        using var amdLayer = await GetAsync($"/v2/{repository.BasePath}/blobs/{amd64.Layers[0]}");
        Assert.Equal(HttpStatusCode.NotFound, amdLayer.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await ErrorCodeAsync(amdLayer));
        Assert.Equal(0, registry.Count("GET", $"/v2/app/blobs/{amd64.Layers[0]}"));
    }

    [Fact]
    public async Task Referrers_are_carried_by_their_sha256_tags_and_served_with_an_artifactType_filter()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 10);
        var signature = TestImages.AddImage(registry, seed: 11, layers: 1, subject: TestImages.Descriptor(image), artifactType: "application/vnd.example.signature");
        var sbom = TestImages.AddImage(registry, seed: 12, layers: 1, subject: TestImages.Descriptor(image), artifactType: "application/spdx+json");
        registry.Tag("app", "1.0", image.Digest);
        registry.Tag("app", $"sha256-{image.Digest[7..]}.sig", signature.Digest);
        registry.Tag("app", $"sha256-{image.Digest[7..]}.sbom", sbom.Digest);
        registry.Tag("app", "other", sbom.Digest);
        var repository = await app.ContainerRepositoryAsync();

        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app","includeTags":["1.0"]}""");

        using var all = await GetAsync($"/v2/{repository.BasePath}/referrers/{image.Digest}");
        Assert.Equal(TestImages.OciIndex, all.Content.Headers.ContentType!.MediaType);
        using var allDocument = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
        Assert.Equal(new[] { signature.Digest, sbom.Digest }.Order(StringComparer.Ordinal),
            allDocument.RootElement.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("digest").GetString()!));

        using var filtered = await GetAsync($"/v2/{repository.BasePath}/referrers/{image.Digest}?artifactType=application/spdx%2Bjson");
        Assert.Equal("artifactType", filtered.Headers.GetValues("OCI-Filters-Applied").Single());
        using var filteredDocument = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync());
        var only = Assert.Single(filteredDocument.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(sbom.Digest, only.GetProperty("digest").GetString());
        Assert.Equal("application/spdx+json", only.GetProperty("artifactType").GetString());

        using var none = await GetAsync($"/v2/{repository.BasePath}/referrers/{signature.Digest}");
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Contains("\"manifests\":[]", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_use_the_distribution_spec_codes()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 13);
        registry.Tag("app", "1.0", image.Digest);
        var repository = await app.ContainerRepositoryAsync();
        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");
        var missing = "sha256:" + new string('0', 64);

        (string Path, HttpStatusCode Status, string Code)[] cases =
        [
            ($"/v2/{repository.BasePath}/manifests/nope", HttpStatusCode.NotFound, "MANIFEST_UNKNOWN"),
            ($"/v2/{repository.BasePath}/manifests/{missing}", HttpStatusCode.NotFound, "MANIFEST_UNKNOWN"),
            ($"/v2/{repository.BasePath}/blobs/{missing}", HttpStatusCode.NotFound, "BLOB_UNKNOWN"),
            ($"/v2/{repository.BasePath}/blobs/sha512:{new string('0', 128)}", HttpStatusCode.BadRequest, "DIGEST_INVALID"),
            ($"/v2/{repository.BasePath}/manifests/-bad", HttpStatusCode.BadRequest, "TAG_INVALID"),
            ("/v2/no-such-repository/manifests/1.0", HttpStatusCode.NotFound, "NAME_UNKNOWN"),
            ($"/v2/{repository.BasePath}/deeper/manifests/1.0", HttpStatusCode.NotFound, "NAME_UNKNOWN"),
            ("/v2/Upper/manifests/1.0", HttpStatusCode.BadRequest, "NAME_INVALID"),
        ];
        foreach (var (path, status, code) in cases)
        {
            using var response = await GetAsync(path);
            Assert.True(status == response.StatusCode, $"{path}: {response.StatusCode}");
            Assert.Equal(code, await ErrorCodeAsync(response));
        }

        // A push without credentials (Container/Push has the pushes themselves).
        using var push = await GetAsync($"/v2/{repository.BasePath}/blobs/uploads/", HttpMethod.Post);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(push));
    }

    [Theory]
    [InlineData("/v2/../etc/manifests/passwd")]
    [InlineData("/v2/ctr/%2e%2e/%2e%2e/manifests/latest")]
    [InlineData("/v2/a/%2E%2E/b/blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("/v2/a/..%2fb/tags/list")]
    public async Task Path_traversal_in_names_is_refused(string path)
    {
        using var response = await GetAsync(path);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
    }

    [Fact]
    public async Task Bearer_token_flow_gets_a_token_with_the_remotes_credentials_and_reuses_it()
    {
        await using var registry = await ScriptedRegistry.StartAsync(requireBearer: true, tokenUser: ("puller", "s3cret"));
        var image = TestImages.AddImage(registry, seed: 14, layers: 3);
        registry.Tag("private/app", "1.0", image.Digest);
        registry.Tag("private/app", "1.1", image.Digest);
        var repository = await app.ContainerRepositoryAsync();

        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"private/app"}""", change: s => s with { Username = "puller", Password = "s3cret" });

        Assert.All(registry.TokenRequests, header => Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("puller:s3cret")), header));
        Assert.InRange(registry.TokenRequests.Count, 1, 2);
        using var blob = await GetAsync($"/v2/{repository.BasePath}/blobs/{image.Layers[2]}");
        Assert.Equal(registry.Blobs[image.Layers[2]], await blob.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Bearer_token_endpoint_refusing_the_credentials_fails_the_sync_with_a_clear_message()
    {
        await using var registry = await ScriptedRegistry.StartAsync(requireBearer: true, tokenUser: ("puller", "s3cret"));
        var image = TestImages.AddImage(registry, seed: 15);
        registry.Tag("private/app", "1.0", image.Digest);
        var repository = await app.ContainerRepositoryAsync();

        var error = await Assert.ThrowsAsync<UpstreamUnavailableException>(() =>
            app.SyncAsync(repository, registry.Url, """{"upstreamName":"private/app"}""", change: s => s with { Username = "puller", Password = "wrong" }));

        Assert.Contains("token endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await app.LatestVersionAsync(repository.Id));
    }

    [Fact]
    public async Task OnDemand_sync_stores_manifests_at_once_and_fetches_blobs_on_first_request()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 16);
        registry.Tag("app", "1.0", image.Digest);
        var repository = await app.ContainerRepositoryAsync();

        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""", Packyard.Api.Resources.DownloadPolicy.OnDemand);

        Assert.Equal(0, registry.Count("GET", $"/v2/app/blobs/{image.Layers[0]}"));
        using var manifest = await GetAsync($"/v2/{repository.BasePath}/manifests/1.0");
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        using var blob = await GetAsync($"/v2/{repository.BasePath}/blobs/{image.Layers[0]}");
        Assert.Equal(registry.Blobs[image.Layers[0]], await blob.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, registry.Count("GET", $"/v2/app/blobs/{image.Layers[0]}"));
    }

    [Fact]
    public async Task Credentials_are_not_sent_in_clear_to_a_token_realm_on_another_host()
    {
        await using var registry = await ScriptedRegistry.StartAsync(requireBearer: true, tokenUser: ("puller", "s3cret"));
        // The same token endpoint, named by another host name over http: it must get no credentials.
        registry.Realm = new Uri($"http://localhost:{registry.Url.Port}/token");
        var image = TestImages.AddImage(registry, seed: 17);
        registry.Tag("private/app", "1.0", image.Digest);
        var repository = await app.ContainerRepositoryAsync();

        var error = await Assert.ThrowsAsync<UpstreamUnavailableException>(() =>
            app.SyncAsync(repository, registry.Url, """{"upstreamName":"private/app"}""", change: s => s with { Username = "puller", Password = "s3cret" }));

        Assert.Contains("token endpoint http://localhost", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(registry.TokenRequests);
        Assert.All(registry.TokenRequests, Assert.Null);
    }

    [Fact]
    public async Task Token_realm_off_the_remotes_scheme_is_refused()
    {
        await using var registry = await ScriptedRegistry.StartAsync(requireBearer: true);
        registry.Realm = new Uri("file:///etc/passwd");
        var image = TestImages.AddImage(registry, seed: 18);
        registry.Tag("app", "1.0", image.Digest);
        var repository = await app.ContainerRepositoryAsync();

        var error = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}"""));

        Assert.Contains("refusing the token endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_guard_applies_under_v2_with_a_challenge_and_the_spec_error()
    {
        await using var registry = await ScriptedRegistry.StartAsync();
        var image = TestImages.AddImage(registry, seed: 19);
        registry.Tag("app", "1.0", image.Digest);
        var repository = await app.ContainerRepositoryAsync();
        await app.SyncAsync(repository, registry.Url, """{"upstreamName":"app"}""");
        var guarded = $"{ContainerFixture.UniqueBasePath("guarded")}/app";
        await app.DistributeAsync(guarded, repository.Id,
            guard: Packyard.Engine.Catalog.ContentGuardRecord.Create("salt", new Dictionary<string, string> { ["reader"] = "pw" }, []));

        using var anonymous = await GetAsync($"/v2/{guarded}/manifests/1.0");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(anonymous));
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var reader = await GetAsync($"/v2/{guarded}/manifests/1.0",
            change: r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:pw"))));
        Assert.Equal(image.Manifest, await reader.Content.ReadAsByteArrayAsync());
    }
}
