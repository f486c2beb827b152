using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Packyard.Engine.Database;
using Packyard.Tests.Infrastructure;
using Packyard.Tests.Infrastructure.Oci;
using Packyard.Tests.Server;

namespace Packyard.Tests.Container.Push;

/// <summary>
/// Pushing into a container Repository with <c>spec.uploads.enabled</c> through the OCI distribution API, with the real skopeo
/// and podman and by hand (chunks, digests, mounts, deletes), against the content app with the standalone upload token.
/// </summary>
public sealed class ContainerPushTests(ContainerFixture app) : IClassFixture<ContainerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromMinutes(2);
    private readonly OciImageBuilder builder = new();
    private readonly TemporaryDirectory work = new();

    private string Creds => $"token:{ContentAppFixture.UploadToken}";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        builder.Dispose();
        work.Dispose();
        return Task.CompletedTask;
    }

    private string Docker(string basePath, string tag) => $"docker://{app.BaseAddress.Authority}/{basePath}:{tag}";

    [Fact]
    public async Task Skopeo_push_with_credentials_makes_one_version_and_skopeo_reads_back_the_same_manifest_and_layers()
    {
        var image = await builder.BuildImageAsync("1.0", [40_000, 20_000, 10_000], seed: 11);
        var repository = await PushRepositoryAsync();

        await OciTool.SkopeoAsync(["copy", "--quiet", "--retry-times", "0", "--dest-tls-verify=false", "--dest-creds", Creds,
            builder.Layout("1.0"), Docker(repository.BasePath, "1.0")], Bounded);

        Assert.Equal(1, await app.LatestVersionAsync(repository.Id));
        var inspect = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", Docker(repository.BasePath, "1.0")], Bounded))!;
        Assert.Equal(image.Digest, inspect["Digest"]!.GetValue<string>());
        Assert.Equal(image.Layers.Select(l => l.Digest), inspect["Layers"]!.AsArray().Select(l => l!.GetValue<string>()));
        var copy = Path.Combine(work.Path, "copy");
        await OciTool.SkopeoAsync(["copy", "--quiet", "--src-tls-verify=false", Docker(repository.BasePath, "1.0"), $"oci:{copy}:1.0"], Bounded);
        foreach (var blob in image.Layers.Append(image.Config!))
        {
            Assert.Equal(builder.ReadBlob(blob.Digest), await File.ReadAllBytesAsync(Path.Combine(copy, "blobs", "sha256", blob.Digest[7..])));
        }

        Assert.Equal(image.Manifest, await File.ReadAllBytesAsync(Path.Combine(copy, "blobs", "sha256", image.Hex)));

        // The same push again changes nothing.
        await OciTool.SkopeoAsync(["copy", "--quiet", "--retry-times", "0", "--dest-tls-verify=false", "--dest-creds", Creds,
            builder.Layout("1.0"), Docker(repository.BasePath, "1.0")], Bounded);
        Assert.Equal(1, await app.LatestVersionAsync(repository.Id));
    }

    [Fact]
    public async Task A_multi_platform_index_pushes_as_one_version_and_podman_pulls_the_pushed_image()
    {
        var amd64 = await builder.BuildImageAsync("amd64", [8_000, 4_000], seed: 21, platform: "linux/amd64");
        var arm64 = await builder.BuildImageAsync("arm64", [8_000, 4_000], seed: 22, platform: "linux/arm64");
        var index = await builder.BuildIndexAsync("multi", [amd64, arm64]);
        var repository = await PushRepositoryAsync();

        await OciTool.SkopeoAsync(["copy", "--quiet", "--all", "--retry-times", "0", "--dest-tls-verify=false", "--dest-creds", Creds,
            builder.Layout("multi"), Docker(repository.BasePath, "multi")], Bounded);

        Assert.Equal(1, await app.LatestVersionAsync(repository.Id));
        var raw = await OciTool.SkopeoAsync(["inspect", "--raw", "--tls-verify=false", Docker(repository.BasePath, "multi")], Bounded);
        Assert.Equal(index.Digest, OciRegistryClient.Sha256(Encoding.UTF8.GetBytes(raw)));

        using var podman = new PodmanStore();
        var reference = $"{app.BaseAddress.Authority}/{repository.BasePath}:multi";
        await podman.RunAsync(["pull", "--quiet", "--tls-verify=false", "--arch", "arm64", reference], Bounded);
        Assert.Equal(index.Digest, (await podman.InspectAsync(reference))["Digest"]!.GetValue<string>());

        // podman push of what it pulled, under a new tag: one more version.
        await podman.RunAsync(["push", "--quiet", "--tls-verify=false", "--creds", Creds, reference, $"{app.BaseAddress.Authority}/{repository.BasePath}:from-podman"], Bounded);
        Assert.Equal(2, await app.LatestVersionAsync(repository.Id));
        var pushed = JsonNode.Parse(await OciTool.SkopeoAsync(["inspect", "--tls-verify=false", "--override-arch", "arm64",
            Docker(repository.BasePath, "from-podman")], Bounded))!;
        Assert.Equal(arm64.Layers.Count, pushed["Layers"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_push_without_credentials_is_401_with_a_Basic_challenge_and_skopeo_fails_without_a_version()
    {
        await builder.BuildImageAsync("1.0", [1_000], seed: 31);
        var repository = await PushRepositoryAsync();

        using var response = await app.Http.PostAsync($"/v2/{repository.BasePath}/blobs/uploads/", null);
        var (code, _, error) = await OciTool.TryRunAsync("skopeo", ["copy", "--quiet", "--retry-times", "0", "--dest-tls-verify=false",
            builder.Layout("1.0"), Docker(repository.BasePath, "1.0")], Bounded);
        using var wrong = await SendAsync(HttpMethod.Post, $"/v2/{repository.BasePath}/blobs/uploads/", credentials: "token:wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(response));
        Assert.NotEqual(0, code);
        Assert.Matches("(?i)unauthorized|authentication required|401", error);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("DENIED", await ErrorCodeAsync(wrong));
        Assert.Equal(0, await app.LatestVersionAsync(repository.Id));
    }

    [Fact]
    public async Task A_distribution_whose_repository_does_not_accept_uploads_refuses_the_push_with_DENIED()
    {
        var repository = await app.ContainerRepositoryAsync();

        using var response = await SendAsync(HttpMethod.Post, $"/v2/{repository.BasePath}/blobs/uploads/");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("DENIED", await ErrorCodeAsync(response));
        Assert.Contains("uploads.enabled", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunks_arrive_in_order_an_out_of_order_chunk_is_416_and_the_blob_is_served_once_a_manifest_holds_it()
    {
        var repository = await PushRepositoryAsync();
        var layer = RandomBytes(300_000, seed: 41);
        var digest = OciRegistryClient.Sha256(layer);

        using var start = await SendAsync(HttpMethod.Post, $"/v2/{repository.BasePath}/blobs/uploads/");
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        Assert.Equal("0-0", start.Headers.GetValues("Range").Single());
        var location = start.Headers.Location!.ToString();
        Assert.Equal(start.Headers.GetValues("Docker-Upload-UUID").Single(), location[(location.LastIndexOf('/') + 1)..]);

        using var first = await PatchAsync(location, layer[..100_000], "0-99999");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("0-99999", first.Headers.GetValues("Range").Single());
        using var skipped = await PatchAsync(location, layer[200_000..], "200000-299999");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, skipped.StatusCode);
        Assert.Equal("0-99999", skipped.Headers.GetValues("Range").Single());
        using var again = await PatchAsync(location, layer[..100_000], "0-99999");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, again.StatusCode);
        using var second = await PatchAsync(location, layer[100_000..200_000], "100000-199999");
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        using var status = await SendAsync(HttpMethod.Get, location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-199999", status.Headers.GetValues("Range").Single());
        using var done = await SendAsync(HttpMethod.Put, $"{location}?digest={digest}", layer[200_000..]);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(digest, done.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal($"/v2/{repository.BasePath}/blobs/{digest}", done.Headers.Location!.ToString());

        using (var pending = await app.Http.GetAsync($"/v2/{repository.BasePath}/blobs/{digest}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, pending.StatusCode);
        }

        Assert.Equal(0, await app.LatestVersionAsync(repository.Id));
        var manifest = await PushImageManifestAsync(repository.BasePath, "chunked", layer);
        Assert.Equal(HttpStatusCode.Created, manifest.StatusCode);
        Assert.Equal(1, await app.LatestVersionAsync(repository.Id));
        Assert.Equal(layer, await app.Http.GetByteArrayAsync($"/v2/{repository.BasePath}/blobs/{digest}"));
    }

    [Fact]
    public async Task A_blob_with_a_wrong_digest_is_400_DIGEST_INVALID_and_nothing_is_kept()
    {
        var repository = await PushRepositoryAsync();
        var content = RandomBytes(50_000, seed: 51);
        var claimed = OciRegistryClient.Sha256(RandomBytes(50_000, seed: 52));
        var actual = OciRegistryClient.Sha256(content);

        using var start = await SendAsync(HttpMethod.Post, $"/v2/{repository.BasePath}/blobs/uploads/");
        var location = start.Headers.Location!.ToString();
        using var chunked = await SendAsync(HttpMethod.Put, $"{location}?digest={claimed}", content);
        using var monolithic = await SendAsync(HttpMethod.Post, $"/v2/{repository.BasePath}/blobs/uploads/?digest={claimed}", content);
        using var session = await SendAsync(HttpMethod.Get, location);

        Assert.Equal(HttpStatusCode.BadRequest, chunked.StatusCode);
        Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(chunked));
        Assert.Equal(HttpStatusCode.BadRequest, monolithic.StatusCode);
        Assert.Equal("DIGEST_INVALID", await ErrorCodeAsync(monolithic));
        Assert.Equal(HttpStatusCode.NotFound, session.StatusCode);
        Assert.Equal(0, await app.ContentUnitCountAsync($"blob:{claimed}"));
        Assert.Equal(0, await app.ContentUnitCountAsync($"blob:{actual}"));
        Assert.Equal(0, await CountAsync("select count(*) from artifacts where sha256 = $1", claimed[7..]));
        Assert.Equal(0, await CountAsync("select count(*) from pending_content where repository_id = $1", repository.Id));
        Assert.Equal(0, await app.LatestVersionAsync(repository.Id));
    }

    [Fact]
    public async Task A_manifest_referencing_a_blob_not_pushed_here_is_MANIFEST_BLOB_UNKNOWN_and_makes_no_version()
    {
        var repository = await PushRepositoryAsync();
        var other = await PushRepositoryAsync();
        var layer = RandomBytes(10_000, seed: 61);
        using (var client = new OciRegistryClient(app.BaseAddress, "token", ContentAppFixture.UploadToken))
        {
            // Pushed to another repository: stored, but not this repository's.
            await client.PushBlobAsync(other.BasePath, layer);
        }

        using var response = await PushImageManifestAsync(repository.BasePath, "1.0", layer, pushBlobs: false);
        using var index = await SendAsync(HttpMethod.Put, $"/v2/{repository.BasePath}/manifests/idx", Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{OciRegistryClient.Sha256(layer)}}","size":10}]}"""),
            "application/vnd.oci.image.index.v1+json");
        using var schema1 = await SendAsync(HttpMethod.Put, $"/v2/{repository.BasePath}/manifests/old", Encoding.UTF8.GetBytes(
            """{"schemaVersion":1,"name":"x","tag":"old","fsLayers":[]}"""), "application/vnd.docker.distribution.manifest.v1+prettyjws");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await ErrorCodeAsync(response));
        Assert.Equal(HttpStatusCode.BadRequest, index.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(index));
        Assert.Equal(HttpStatusCode.BadRequest, schema1.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await ErrorCodeAsync(schema1));
        Assert.Contains("schema 1", await schema1.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await app.LatestVersionAsync(repository.Id));
    }

    [Fact]
    public async Task A_blob_mounted_from_another_distribution_is_201_and_one_not_served_there_starts_a_session()
    {
        var source = await PushRepositoryAsync();
        var target = await PushRepositoryAsync();
        var layer = RandomBytes(20_000, seed: 71);
        var digest = OciRegistryClient.Sha256(layer);
        using (await PushImageManifestAsync(source.BasePath, "1.0", layer))
        {
        }

        using var mounted = await SendAsync(HttpMethod.Post, $"/v2/{target.BasePath}/blobs/uploads/?mount={digest}&from={source.BasePath}");
        var unknown = OciRegistryClient.Sha256(RandomBytes(10, seed: 72));
        using var fallback = await SendAsync(HttpMethod.Post, $"/v2/{target.BasePath}/blobs/uploads/?mount={unknown}&from={source.BasePath}");

        Assert.Equal(HttpStatusCode.Created, mounted.StatusCode);
        Assert.Equal(digest, mounted.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(HttpStatusCode.Accepted, fallback.StatusCode);
        Assert.NotEmpty(fallback.Headers.GetValues("Docker-Upload-UUID").Single());
        using var manifest = await PushImageManifestAsync(target.BasePath, "mounted", layer, pushBlobs: false, pushConfig: true);
        Assert.Equal(HttpStatusCode.Created, manifest.StatusCode);
        Assert.Equal(layer, await app.Http.GetByteArrayAsync($"/v2/{target.BasePath}/blobs/{digest}"));
    }

    [Fact]
    public async Task Deleting_a_tag_and_then_a_manifest_makes_a_version_each_and_the_other_tags_stay()
    {
        var repository = await PushRepositoryAsync();
        var layer = RandomBytes(5_000, seed: 81);
        using var first = await PushImageManifestAsync(repository.BasePath, "1.0", layer);
        var digest = first.Headers.GetValues("Docker-Content-Digest").Single();
        using (await SendAsync(HttpMethod.Put, $"/v2/{repository.BasePath}/manifests/latest", await app.Http.GetByteArrayAsync($"/v2/{repository.BasePath}/manifests/1.0"),
            "application/vnd.oci.image.manifest.v1+json"))
        {
        }

        using var other = await PushImageManifestAsync(repository.BasePath, "2.0", RandomBytes(5_000, seed: 82));
        Assert.Equal(3, await app.LatestVersionAsync(repository.Id));

        using var tag = await SendAsync(HttpMethod.Delete, $"/v2/{repository.BasePath}/manifests/latest");
        Assert.Equal(HttpStatusCode.Accepted, tag.StatusCode);
        Assert.Equal(4, await app.LatestVersionAsync(repository.Id));
        Assert.Equal(["1.0", "2.0"], await TagsAsync(repository.BasePath));

        using var manifest = await SendAsync(HttpMethod.Delete, $"/v2/{repository.BasePath}/manifests/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, manifest.StatusCode);
        Assert.Equal(5, await app.LatestVersionAsync(repository.Id));
        Assert.Equal(["2.0"], await TagsAsync(repository.BasePath));
        using (var gone = await app.Http.GetAsync($"/v2/{repository.BasePath}/manifests/{digest}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var again = await SendAsync(HttpMethod.Delete, $"/v2/{repository.BasePath}/manifests/latest");
        using var blob = await SendAsync(HttpMethod.Delete, $"/v2/{repository.BasePath}/blobs/{OciRegistryClient.Sha256(layer)}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(again));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, blob.StatusCode);
        Assert.Equal("UNSUPPORTED", await ErrorCodeAsync(blob));
        Assert.Equal(5, await app.LatestVersionAsync(repository.Id));
    }

    [Fact]
    public async Task An_artifact_put_by_digest_with_a_subject_answers_OCI_Subject_and_is_listed_by_the_referrers_API()
    {
        var repository = await PushRepositoryAsync();
        using var image = await PushImageManifestAsync(repository.BasePath, "1.0", RandomBytes(4_000, seed: 91));
        var subject = image.Headers.GetValues("Docker-Content-Digest").Single();
        var subjectBytes = await app.Http.GetByteArrayAsync($"/v2/{repository.BasePath}/manifests/1.0");
        using var client = new OciRegistryClient(app.BaseAddress, "token", ContentAppFixture.UploadToken);
        var empty = await client.PushBlobAsync(repository.BasePath, "{}"u8.ToArray());
        var payload = await client.PushBlobAsync(repository.BasePath, "signature"u8.ToArray());
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciTestMediaTypes.ImageManifest,
            ["artifactType"] = "application/vnd.example.signature",
            ["config"] = OciRegistryClient.Descriptor(OciTestMediaTypes.Empty, empty, 2),
            ["layers"] = new JsonArray(OciRegistryClient.Descriptor("application/octet-stream", payload, 9)),
            ["subject"] = OciRegistryClient.Descriptor(OciTestMediaTypes.ImageManifest, subject, subjectBytes.Length),
        }.ToJsonString());
        var digest = OciRegistryClient.Sha256(manifest);

        using var response = await SendAsync(HttpMethod.Put, $"/v2/{repository.BasePath}/manifests/{digest}", manifest, OciTestMediaTypes.ImageManifest);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(subject, response.Headers.GetValues("OCI-Subject").Single());
        Assert.Equal(2, await app.LatestVersionAsync(repository.Id));
        var referrers = JsonNode.Parse(await app.Http.GetStringAsync($"/v2/{repository.BasePath}/referrers/{subject}"))!;
        Assert.Equal(digest, Assert.Single(referrers["manifests"]!.AsArray())!["digest"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v2/{0}/../{0}/blobs/uploads/")]
    [InlineData("/v2/{0}/%2e%2e/{0}/blobs/uploads/")]
    [InlineData("/v2/{0}/%2E%2E/%2E%2E/etc/blobs/uploads/")]
    [InlineData("/v2/{0}/..%2f..%2fx/blobs/uploads/")]
    [InlineData("/v2/{1}/blobs/uploads/")]
    public async Task Names_with_dot_segments_encoded_dots_or_upper_case_are_refused_and_store_nothing(string template)
    {
        var repository = await PushRepositoryAsync();
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, repository.BasePath, repository.BasePath.ToUpperInvariant());

        var (status, body) = await RawRequestAsync("POST", path);

        Assert.True(status is 400 or 404, $"{path}: {status} {body}");
        Assert.Contains(status == 400 ? "NAME_INVALID" : "NAME_UNKNOWN", body, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("select count(*) from upload_sessions where repository_id = $1", repository.Id));
    }

    private async Task<List<string>> TagsAsync(string basePath) =>
        [.. JsonNode.Parse(await app.Http.GetStringAsync($"/v2/{basePath}/tags/list"))!["tags"]!.AsArray().Select(t => t!.GetValue<string>())];

    /// <summary>Pushes the empty config and <paramref name="layer"/> (unless told not to), then an image manifest of them under <paramref name="tag"/>.</summary>
    private async Task<HttpResponseMessage> PushImageManifestAsync(string basePath, string tag, byte[] layer, bool pushBlobs = true, bool pushConfig = false)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"tag":"{{tag}}"}""");
        if (pushBlobs || pushConfig)
        {
            using var client = new OciRegistryClient(app.BaseAddress, "token", ContentAppFixture.UploadToken);
            await client.PushBlobAsync(basePath, config);
            if (pushBlobs)
            {
                await client.PushBlobAsync(basePath, layer);
            }
        }

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = OciRegistryClient.Descriptor("application/vnd.oci.image.config.v1+json", OciRegistryClient.Sha256(config), config.Length),
            ["layers"] = new JsonArray(OciRegistryClient.Descriptor("application/vnd.oci.image.layer.v1.tar", OciRegistryClient.Sha256(layer), layer.Length)),
        };
        return await SendAsync(HttpMethod.Put, $"/v2/{basePath}/manifests/{tag}", Encoding.UTF8.GetBytes(manifest.ToJsonString()),
            "application/vnd.oci.image.manifest.v1+json");
    }

    private async Task<ContainerFixture.ContainerRepository> PushRepositoryAsync()
    {
        var repository = await app.ContainerRepositoryAsync();
        await app.Catalog.SetUploadsEnabledAsync(repository.Id, true, CancellationToken.None);
        return repository;
    }

    private Task<HttpResponseMessage> PatchAsync(string location, byte[] chunk, string range)
    {
        var request = Request(HttpMethod.Patch, location, chunk, "application/octet-stream");
        request.Content!.Headers.TryAddWithoutValidation("Content-Range", range);
        return app.Http.SendAsync(request);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body = null, string contentType = "application/octet-stream",
        string? credentials = null) =>
        app.Http.SendAsync(Request(method, path, body, contentType, credentials));

    private HttpRequestMessage Request(HttpMethod method, string path, byte[]? body, string contentType, string? credentials = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials ?? Creds)));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        return request;
    }

    /// <summary>Sends the request line exactly as given (no client-side dot-segment removal or unescaping).</summary>
    private async Task<(int Status, string Body)> RawRequestAsync(string method, string path)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(app.BaseAddress.Host, app.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(Creds));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"{method} {path} HTTP/1.1\r\nHost: {app.BaseAddress.Authority}\r\nAuthorization: Basic {auth}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, response);
    }

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["code"]!.GetValue<string>();

    private async Task<long> CountAsync(string sql, object parameter)
    {
        await using var connection = await app.DataSource.OpenConnectionAsync();
        return await connection.ScalarAsync<long>(sql, CancellationToken.None, parameter);
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
