using System.Net;
using System.Net.Http.Headers;

namespace Packyard.Tests.Deb;

/// <summary>What apt relies on from the server: media types and Last-Modified on indices, Range and Debian's media type on packages, 404 for what is not there.</summary>
public sealed class DebServingTests(DebFixture fixture) : IClassFixture<DebFixture>
{
    [Fact]
    public async Task Indices_have_their_media_types_and_Last_modified_packages_serve_ranges_and_missing_by_hash_objects_are_404()
    {
        await using var hello = await HelloDistribution.CreateAsync(fixture, "serving");
        var published = await hello.SyncAndPublishAsync();
        var (upstream, basePath) = (hello.Upstream, hello.BasePath);

        foreach (var (path, mediaType) in new[]
        {
            ("dists/bookworm/InRelease", "text/plain"), ("dists/bookworm/Release", "text/plain"), ("dists/bookworm/Release.gpg", "application/pgp-signature"),
            ("dists/bookworm/main/binary-amd64/Packages", "text/plain"), ("dists/bookworm/main/binary-amd64/Packages.gz", "application/gzip"),
            ("dists/bookworm/main/binary-amd64/Packages.xz", "application/x-xz"), ("dists/bookworm/main/binary-amd64/Release", "text/plain"),
        })
        {
            using var response = await fixture.Http.GetAsync($"/{basePath}/{path}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
            var lastModified = response.Content.Headers.LastModified;
            Assert.NotNull(lastModified);
            Assert.InRange(lastModified.Value, published.AddSeconds(-1).AddMilliseconds(-published.Millisecond), published.AddSeconds(1));

            using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/{path}");
            conditional.Headers.IfModifiedSince = lastModified;
            using var notModified = await fixture.Http.SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        var deb = await File.ReadAllBytesAsync(Path.Combine(upstream.Root, "pool/main/h/hello/hello_2.10-3_amd64.deb"));
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, $"/{basePath}/pool/main/h/hello/hello_2.10-3_amd64.deb"))
        {
            ranged.Headers.Range = new RangeHeaderValue(8, 67); // the ar header of debian-binary
            using var partial = await fixture.Http.SendAsync(ranged);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal($"bytes 8-67/{deb.Length}", partial.Content.Headers.ContentRange?.ToString());
            Assert.Equal(deb[8..68], await partial.Content.ReadAsByteArrayAsync());
            Assert.Equal("application/vnd.debian.binary-package", partial.Content.Headers.ContentType?.MediaType);
        }

        foreach (var missing in new[]
        {
            $"dists/bookworm/main/binary-amd64/by-hash/SHA256/{new string('0', 64)}", "dists/bookworm/main/binary-amd64/by-hash/SHA256/not-a-digest",
            "dists/bookworm/main/binary-arm64/Packages.xz", "pool/main/h/hello/hello_9.9-9_amd64.deb",
        })
        {
            using var response = await fixture.Http.GetAsync($"/{basePath}/{missing}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }
}
