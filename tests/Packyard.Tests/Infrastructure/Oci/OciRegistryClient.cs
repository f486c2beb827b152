using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Packyard.Tests.Infrastructure.Oci;

/// <summary>
/// A small OCI distribution client for test setup and assertions where skopeo does not fit: pushing blobs and manifests
/// byte for byte (artifacts with a <c>subject</c>, the referrers-tag fallback index, cosign <c>sha256-….sig</c> tags,
/// 1,000 tags on one manifest), reading manifests, blobs and tag lists. It answers a registry's 401 the way clients do:
/// <c>Bearer</c> → fetch a token at the realm (Basic credentials when given) and cache it per scope; <c>Basic</c> → resend
/// with the credentials. Not the code under test: the container type has its own.
/// </summary>
public sealed class OciRegistryClient : IDisposable
{
    private readonly Uri registry;
    private readonly string? basic;
    private readonly HttpClient http = new(new SocketsHttpHandler { AllowAutoRedirect = true, UseProxy = false }) { Timeout = TimeSpan.FromMinutes(2) };
    private readonly ConcurrentDictionary<string, string> tokens = new(StringComparer.Ordinal);
    private int tokenRequests;
    private string? lastAuthorization;

    /// <param name="registry">The registry's base address (<see cref="ReferenceRegistry.Address"/>, or Packyard's).</param>
    public OciRegistryClient(Uri registry, string? user = null, string? password = null)
    {
        this.registry = registry;
        basic = user is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
    }

    /// <summary>How many tokens this client fetched from a realm.</summary>
    public int TokenRequests => tokenRequests;

    public static string Sha256(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Uploads <paramref name="content"/> (POST then monolithic PUT <c>?digest=</c>) unless the registry has it; returns its digest.</summary>
    public async Task<string> PushBlobAsync(string name, byte[] content, CancellationToken cancellationToken = default)
    {
        var digest = Sha256(content);
        using (var head = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, Url($"/v2/{name}/blobs/{digest}")), cancellationToken))
        {
            if (head.IsSuccessStatusCode)
            {
                return digest;
            }
        }

        using var start = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Url($"/v2/{name}/blobs/uploads/")), cancellationToken);
        await EnsureAsync(start, "starting a blob upload", cancellationToken);
        var location = new Uri(registry, start.Headers.Location ?? throw new InvalidOperationException("no Location for the upload"));
        var put = new UriBuilder(location);
        put.Query = (put.Query.Length > 1 ? put.Query[1..] + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
        using var done = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, put.Uri)
        {
            Content = new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
        }, cancellationToken);
        await EnsureAsync(done, $"uploading blob {digest}", cancellationToken);
        return digest;
    }

    /// <summary>PUTs <paramref name="manifest"/> as is under <paramref name="reference"/> (a tag or its digest); returns its digest.</summary>
    public async Task<string> PushManifestAsync(string name, string reference, string mediaType, byte[] manifest, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, Url($"/v2/{name}/manifests/{reference}"))
        {
            Content = new ByteArrayContent(manifest) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
        }, cancellationToken);
        await EnsureAsync(response, $"putting manifest {name}:{reference}", cancellationToken);
        return Sha256(manifest);
    }

    /// <summary>Pushes an image, index or artifact the test built (its blobs must already be there; children of an index too).</summary>
    public Task<string> PushManifestAsync(string name, string reference, OciImage image, CancellationToken cancellationToken = default) =>
        PushManifestAsync(name, reference, image.MediaType, image.Manifest, cancellationToken);

    /// <summary>GETs a manifest with every known media type accepted, and parses it (children of an index are fetched too).</summary>
    public async Task<OciImage> GetManifestAsync(string name, string reference, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url($"/v2/{name}/manifests/{reference}"))
        {
            Headers = { { "Accept", OciTestMediaTypes.AcceptManifests } },
        }, cancellationToken);
        await EnsureAsync(response, $"getting manifest {name}:{reference}", cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var image = Parse(bytes, response.Content.Headers.ContentType?.MediaType);
        if (image.Children.Count == 0)
        {
            return image;
        }

        var children = new List<OciImage>();
        foreach (var child in image.Children)
        {
            children.Add(await GetManifestAsync(name, child.Digest, cancellationToken) with { Platform = child.Platform });
        }

        return image with { Children = children };
    }

    public async Task<byte[]> GetBlobAsync(string name, string digest, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url($"/v2/{name}/blobs/{digest}")), cancellationToken);
        await EnsureAsync(response, $"getting blob {digest}", cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>All tags of <paramref name="name"/> (distribution 2.8 ignores <c>n</c>/<c>last</c> and answers them in one page).</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url($"/v2/{name}/tags/list")), cancellationToken);
        await EnsureAsync(response, $"listing the tags of {name}", cancellationToken);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
        return json["tags"] is JsonArray tags ? [.. tags.Select(t => t!.GetValue<string>())] : [];
    }

    /// <summary>
    /// Tags one pushed manifest under each of <paramref name="tags"/> by PUTting the same bytes (a few ms each): the cheap way to a
    /// repository with 1,000 tags.
    /// </summary>
    public async Task TagManyAsync(string name, OciImage manifest, IEnumerable<string> tags, int parallelism = 8, CancellationToken cancellationToken = default)
    {
        await Parallel.ForEachAsync(tags, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (tag, token) => await PushManifestAsync(name, tag, manifest, token));
    }

    /// <summary>
    /// One distinct manifest per tag, all over <paramref name="image"/>'s config and layers (already pushed to <paramref name="name"/>):
    /// the OCI manifest with an <c>org.packyard.test.variant</c> annotation naming the tag, so every tag has its own digest, as in a
    /// real repository with many releases. Returns tag → manifest in <paramref name="tags"/> order.
    /// </summary>
    public async Task<IReadOnlyList<OciImage>> PushVariantsAsync(string name, OciImage image, IReadOnlyList<string> tags, int parallelism = 8,
        CancellationToken cancellationToken = default)
    {
        if (image.MediaType != OciTestMediaTypes.ImageManifest)
        {
            throw new ArgumentException($"variants are made of OCI image manifests, not {image.MediaType}", nameof(image));
        }

        var variants = new OciImage[tags.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, tags.Count), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var json = JsonNode.Parse(image.Manifest)!.AsObject();
                var annotations = json["annotations"] as JsonObject ?? [];
                json["annotations"] = annotations;
                annotations["org.packyard.test.variant"] = tags[i];
                var bytes = Encoding.UTF8.GetBytes(json.ToJsonString());
                await PushManifestAsync(name, tags[i], OciTestMediaTypes.ImageManifest, bytes, token);
                variants[i] = Parse(bytes, OciTestMediaTypes.ImageManifest);
            });
        return variants;
    }

    /// <summary>
    /// Pushes an OCI 1.1 artifact referring to <paramref name="subject"/>: an image manifest with <c>artifactType</c>, the empty
    /// config and one layer holding <paramref name="payload"/>, pushed by digest (and under <paramref name="tag"/> when given).
    /// distribution 2.8 keeps the bytes but has no referrers API: see <see cref="PushReferrersTagAsync"/>.
    /// </summary>
    public async Task<OciImage> PushArtifactAsync(string name, OciImage subject, string artifactType, byte[] payload, string payloadMediaType,
        string? tag = null, IReadOnlyDictionary<string, string>? annotations = null, CancellationToken cancellationToken = default)
    {
        var empty = "{}"u8.ToArray();
        var emptyDigest = await PushBlobAsync(name, empty, cancellationToken);
        var payloadDigest = await PushBlobAsync(name, payload, cancellationToken);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciTestMediaTypes.ImageManifest,
            ["artifactType"] = artifactType,
            ["config"] = Descriptor(OciTestMediaTypes.Empty, emptyDigest, empty.Length),
            ["layers"] = new JsonArray(Descriptor(payloadMediaType, payloadDigest, payload.Length)),
            ["subject"] = Descriptor(subject.MediaType, subject.Digest, subject.Manifest.Length),
            ["annotations"] = Annotations(annotations ?? new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2026-01-01T00:00:00Z" }),
        };
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        var digest = await PushManifestAsync(name, Sha256(bytes), OciTestMediaTypes.ImageManifest, bytes, cancellationToken);
        if (tag is not null)
        {
            await PushManifestAsync(name, tag, OciTestMediaTypes.ImageManifest, bytes, cancellationToken);
        }

        return Parse(bytes, OciTestMediaTypes.ImageManifest) with { Digest = digest };
    }

    /// <summary>
    /// The OCI 1.1 referrers tag schema, the fallback for registries without the referrers API: an index listing
    /// <paramref name="referrers"/> (with their <c>artifactType</c>) tagged <c>sha256-&lt;subject hex&gt;</c>.
    /// </summary>
    public async Task<OciImage> PushReferrersTagAsync(string name, OciImage subject, IReadOnlyList<OciImage> referrers, CancellationToken cancellationToken = default)
    {
        var manifests = new JsonArray();
        foreach (var referrer in referrers)
        {
            var descriptor = Descriptor(referrer.MediaType, referrer.Digest, referrer.Manifest.Length);
            if (referrer.ArtifactType is not null)
            {
                descriptor["artifactType"] = referrer.ArtifactType;
            }

            manifests.Add(descriptor);
        }

        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = OciTestMediaTypes.ImageIndex, ["manifests"] = manifests };
        var bytes = Encoding.UTF8.GetBytes(index.ToJsonString());
        var digest = await PushManifestAsync(name, $"sha256-{subject.Hex}", OciTestMediaTypes.ImageIndex, bytes, cancellationToken);
        return Parse(bytes, OciTestMediaTypes.ImageIndex) with { Digest = digest };
    }

    /// <summary>
    /// A cosign-style signature of <paramref name="subject"/>: a manifest tagged <c>sha256-&lt;hex&gt;.sig</c> whose layer is a
    /// simple-signing payload naming the subject's digest, with a (fake, fixed) <c>dev.cosignproject.cosign/signature</c> annotation.
    /// </summary>
    public async Task<OciImage> PushCosignSignatureAsync(string name, OciImage subject, CancellationToken cancellationToken = default)
    {
        var payload = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["critical"] = new JsonObject
            {
                ["identity"] = new JsonObject { ["docker-reference"] = name },
                ["image"] = new JsonObject { ["docker-manifest-digest"] = subject.Digest },
                ["type"] = "cosign container image signature",
            },
            ["optional"] = null,
        }.ToJsonString());
        var payloadDigest = await PushBlobAsync(name, payload, cancellationToken);
        var config = Encoding.UTF8.GetBytes("""{"architecture":"","config":{},"created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["""
            + $"\"{payloadDigest}\"]}}}}");
        var configDigest = await PushBlobAsync(name, config, cancellationToken);
        var layer = Descriptor(OciTestMediaTypes.CosignSimpleSigning, payloadDigest, payload.Length);
        layer["annotations"] = Annotations(new Dictionary<string, string>
        {
            ["dev.cosignproject.cosign/signature"] = Convert.ToBase64String(SHA256.HashData(payload)),
        });
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciTestMediaTypes.ImageManifest,
            ["config"] = Descriptor(OciTestMediaTypes.ImageConfig, configDigest, config.Length),
            ["layers"] = new JsonArray(layer),
        };
        var bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        var digest = await PushManifestAsync(name, $"sha256-{subject.Hex}.sig", OciTestMediaTypes.ImageManifest, bytes, cancellationToken);
        return Parse(bytes, OciTestMediaTypes.ImageManifest) with { Digest = digest };
    }

    /// <summary>Reads a manifest or index: its config, layers, children (with platform), artifactType and subject.</summary>
    public static OciImage Parse(byte[] manifest, string? mediaType = null)
    {
        var json = JsonNode.Parse(manifest)!.AsObject();
        var type = json["mediaType"]?.GetValue<string>() ?? mediaType ?? OciTestMediaTypes.ImageManifest;
        return new OciImage(Sha256(manifest), type, manifest)
        {
            Config = ReadDescriptor(json["config"]),
            Layers = json["layers"] is JsonArray layers ? [.. layers.Select(l => ReadDescriptor(l)!)] : [],
            Children = json["manifests"] is JsonArray children
                ? [.. children.Select(c => new OciImage(c!["digest"]!.GetValue<string>(), c["mediaType"]!.GetValue<string>(), [])
                {
                    Platform = c["platform"] is JsonObject p ? $"{p["os"]}/{p["architecture"]}" + (p["variant"] is { } v ? $"/{v}" : "") : null,
                    ArtifactType = c["artifactType"]?.GetValue<string>(),
                })]
                : [],
            ArtifactType = json["artifactType"]?.GetValue<string>(),
            Subject = ReadDescriptor(json["subject"]),
        };
    }

    public void Dispose() => http.Dispose();

    internal static JsonObject Descriptor(string mediaType, string digest, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };

    private static JsonObject Annotations(IReadOnlyDictionary<string, string> annotations)
    {
        var json = new JsonObject();
        foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            json[key] = value;
        }

        return json;
    }

    private static OciTestDescriptor? ReadDescriptor(JsonNode? node) => node is JsonObject d
        ? new OciTestDescriptor(d["mediaType"]?.GetValue<string>() ?? "", d["digest"]!.GetValue<string>(), d["size"]!.GetValue<long>())
        : null;

    private Uri Url(string path) => new(registry, path);

    /// <summary>Sends a request built by <paramref name="build"/>; on 401 answers the challenge once and sends it again.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        string? scopeKey = null;
        var request = build();
        if (Volatile.Read(ref lastAuthorization) is { } known)
        {
            request.Headers.TryAddWithoutValidation("Authorization", known);
        }

        var response = await http.SendAsync(request, cancellationToken);
        request.Dispose();
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        if (challenge is null)
        {
            return response;
        }

        string authorization;
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && basic is not null)
        {
            authorization = "Basic " + basic;
        }
        else if (challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            var parameters = ParseChallenge(challenge.Parameter ?? "");
            scopeKey = parameters.GetValueOrDefault("scope") ?? "";
            if (!tokens.TryGetValue(scopeKey, out var token))
            {
                var query = new List<string>();
                if (parameters.TryGetValue("service", out var service))
                {
                    query.Add("service=" + Uri.EscapeDataString(service));
                }

                if (scopeKey.Length > 0)
                {
                    query.Add("scope=" + Uri.EscapeDataString(scopeKey));
                }

                using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"{parameters["realm"]}?{string.Join('&', query)}");
                if (basic is not null)
                {
                    tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
                }

                Interlocked.Increment(ref tokenRequests);
                using var tokenResponse = await http.SendAsync(tokenRequest, cancellationToken);
                if (!tokenResponse.IsSuccessStatusCode)
                {
                    return response;
                }

                var json = JsonNode.Parse(await tokenResponse.Content.ReadAsStringAsync(cancellationToken))!;
                token = (json["token"] ?? json["access_token"])!.GetValue<string>();
                tokens[scopeKey] = token;
            }

            authorization = "Bearer " + token;
        }
        else
        {
            return response;
        }

        response.Dispose();
        var retry = build();
        retry.Headers.TryAddWithoutValidation("Authorization", authorization);
        var second = await http.SendAsync(retry, cancellationToken);
        retry.Dispose();
        if (second.IsSuccessStatusCode)
        {
            Volatile.Write(ref lastAuthorization, authorization);
        }

        return second;
    }

    private static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < parameter.Length)
        {
            var equals = parameter.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var key = parameter[i..equals].Trim(' ', ',');
            string value;
            if (equals + 1 < parameter.Length && parameter[equals + 1] == '"')
            {
                var close = parameter.IndexOf('"', equals + 2);
                value = parameter[(equals + 2)..close];
                i = close + 1;
            }
            else
            {
                var comma = parameter.IndexOf(',', equals);
                value = comma < 0 ? parameter[(equals + 1)..] : parameter[(equals + 1)..comma];
                i = comma < 0 ? parameter.Length : comma;
            }

            result[key] = value;
            i++;
        }

        return result;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{what}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        }
    }
}
